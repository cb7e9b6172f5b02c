"""E-mail intake throughput: messages per second through the ingest service the MTA pipe uses.

Run with ``python benchmarks/bench_mail_ingest.py [--messages 2000] [--data-dir DIR] [--batch 2000] [--cli 20]``.
Target: at least 100 messages/s into SQLite in-process.

A corpus of varied messages is written to a temporary directory as .eml files: new requests in Chinese
(UTF-8 and GBK) and English from known and unknown senders, some HTML-only, some with a screenshot
attached, a few auto-replies and bounces; then, once those tickets exist, replies threaded by a genuine
ITDesk Message-ID or by the [number] subject tag (and a few forged ones). Each file is read and handed
to ``ingest_message`` in a loop, as ``itdesk mail ingest`` does, into a fresh SQLite data directory
(PostgreSQL with DATABASE_URL). ``--batch N`` also takes in N new messages with one
``itdesk mail ingest DIRECTORY`` (a spool), process start-up included; ``--cli N`` pipes N messages
through ``itdesk mail ingest -``, one process per message, to show what the MTA pipe costs per message.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="messages in the corpus (default 2000)")
    parser.add_argument("--data-dir", help="ITDesk data directory (default: a new temporary one)")
    parser.add_argument(
        "--batch",
        type=int,
        default=0,
        metavar="N",
        help="also take in N new messages with one `itdesk mail ingest DIRECTORY` (startup included)",
    )
    parser.add_argument(
        "--cli", type=int, default=0, metavar="N", help="also pipe N messages through the CLI"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of the loop")
    return parser.parse_args()


ARGS = _parse_args() if __name__ == "__main__" else None
if ARGS is not None:
    os.environ["ITDESK_DATA_DIR"] = str(
        Path(ARGS.data_dir or tempfile.mkdtemp(prefix="itdesk-bench-mail-")).expanduser().resolve()
    )
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itdesk.config.settings")
os.environ.setdefault("ITDESK_LANGUAGE", "en")
try:
    import itdesk  # noqa: F401
except ImportError:  # running from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

SUBJECTS_ZH = ["打印机卡纸", "VPN连接失败，错误 809", "Outlook 无法发送邮件", "新员工入职开通账号", "密码重置申请",
               "电脑蓝屏", "业务系统无法登录", "会议室投影仪没有信号", "共享盘无法访问"]  # fmt: skip
SUBJECTS_EN = ["Laptop very slow after update", "Cannot open the shared drive", "Printer on floor 3 jammed",
               "Password reset please", "Outlook stuck in outbox", "Wi-Fi drops in meeting room B"]  # fmt: skip
BODY_ZH = "您好，\n\n{subject}，从今天早上开始一直这样，已经重启过电脑，问题依旧。请尽快帮忙处理。\n\n谢谢！\n{name}"
BODY_EN = "Hello,\n\n{subject}. It started this morning; I already restarted, no change. Please help.\n\nThanks,\n{name}"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def _message(
    rng: random.Random,
    index: int,
    *,
    sender: str,
    name: str,
    subject: str,
    body: str,
    charset: str = "utf-8",
    html: bool = False,
    attach: bool = False,
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>"
    message["To"] = "itdesk@example.test"
    if rng.random() < 0.2:
        message["Cc"] = f"colleague{rng.randrange(50)}@example.test"
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = f"<bench-{index}-{rng.getrandbits(40):x}@client.example.test>"
    for key, value in (headers or {}).items():
        message[key] = value
    if html:
        paragraphs = "".join(f"<p>{line}</p>" for line in body.splitlines() if line)
        message.set_content(
            f"<html><body>{paragraphs}<script>alert(1)</script></body></html>", subtype="html"
        )
    else:
        message.set_content(body, charset=charset)
    if attach:
        message.add_attachment(PNG, maintype="image", subtype="png", filename=f"screenshot-{index}.png")
    return bytes(message)


def new_requests(rng: random.Random, count: int, people: list[tuple[str, str, str]]) -> list[bytes]:
    """New requests, with a few machine messages among them."""
    corpus = []
    for index in range(count):
        roll = rng.random()
        if roll < 0.03:
            corpus.append(
                _message(
                    rng,
                    index,
                    sender=rng.choice(people)[0],
                    name="Auto",
                    subject="Automatic reply: out of office",
                    body="I am out of the office until Monday.",
                    headers={"Auto-Submitted": "auto-replied"},
                )
            )
            continue
        if roll < 0.05:
            corpus.append(
                _message(
                    rng,
                    index,
                    sender="mailer-daemon@mx.example.test",
                    name="Mail Delivery System",
                    subject="Undelivered Mail Returned to Sender",
                    body="This is the mail system.",
                )
            )
            continue
        if rng.random() < 0.8:
            address, name, language = rng.choice(people)
        else:
            address, name, language = (
                f"new{index}@partner.example.test",
                f"Guest {index}",
                rng.choice(["zh", "en"]),
            )
        chinese = language == "zh"
        subject = rng.choice(SUBJECTS_ZH if chinese else SUBJECTS_EN)
        body = (BODY_ZH if chinese else BODY_EN).format(subject=subject, name=name)
        corpus.append(
            _message(
                rng,
                index,
                sender=address,
                name=name,
                subject=subject,
                body=body,
                charset="gbk" if chinese and rng.random() < 0.3 else "utf-8",
                html=rng.random() < 0.15,
                attach=rng.random() < 0.15,
            )
        )
    return corpus


def replies(rng: random.Random, count: int, tickets: list[tuple[str, str, str]], start: int) -> list[bytes]:
    """Replies to existing tickets: by signed Message-ID, by subject tag, and a few forged."""
    from django.conf import settings

    from itdesk.channels.mail import msgid

    corpus = []
    for offset in range(count):
        number, address, title = rng.choice(tickets)
        roll = rng.random()
        headers: dict[str, str] = {}
        subject = f"Re: {title}"
        if roll < 0.5:
            reference = msgid.thread_root_id(
                ticket_number=number, secret=settings.SECRET_KEY, domain="example.test"
            )
            headers = {"In-Reply-To": reference, "References": reference}
        elif roll < 0.95:
            subject = f"回复：[{number}] {title}"
        else:  # forged tag from someone else
            address = f"outsider{offset}@elsewhere.test"
            subject = f"Re: [{number}] {title}"
        body = "Thanks, still happening.\n\nOn Monday ITDesk wrote:\n> We are looking into it.\n> Regards"
        corpus.append(
            _message(
                rng, start + offset, sender=address, name="Reply", subject=subject, body=body, headers=headers
            )
        )
    return corpus


def _write(directory: Path, corpus: list[bytes], prefix: str) -> list[Path]:
    paths = []
    for index, raw in enumerate(corpus):
        path = directory / f"{prefix}-{index:06d}.eml"
        path.write_bytes(raw)
        paths.append(path)
    return paths


def _ingest_all(paths: list[Path], mailbox, profile: bool) -> tuple[float, float, Counter]:
    from itdesk.channels.mail.services.ingest import ingest_message

    actions: Counter = Counter()

    def loop() -> None:
        for path in paths:
            actions[str(ingest_message(raw=path.read_bytes(), mailbox=mailbox).action)] += 1

    started, cpu_started = time.perf_counter(), time.process_time()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(loop)
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(
            int(os.environ.get("PROFILE_LINES", "30"))
        )
    else:
        loop()
    return time.perf_counter() - started, time.process_time() - cpu_started, actions


def main() -> None:
    """Generate the corpus, ingest it, print messages per second."""
    import django

    django.setup()
    from django.core.management import call_command

    from itdesk.accounts.models import SupportGroup, User
    from itdesk.channels.mail.models import Mailbox
    from itdesk.tickets.models import Ticket

    assert ARGS is not None
    rng = random.Random(ARGS.seed)
    call_command("migrate", verbosity=0)
    SupportGroup.objects.get_or_create(
        code="service-desk", defaults={"name": "Service desk", "is_first_line": True}
    )
    people = []
    for index in range(200):
        chinese = index % 5 != 0
        address = f"staff{index}@example.test"
        name = f"员工{index}" if chinese else f"Staff {index}"
        user, _created = User.objects.get_or_create(
            username=f"staff{index}", defaults={"email": address, "language": "zh-hans" if chinese else "en"}
        )
        people.append((address, name, "zh" if chinese else "en"))
    mailbox, _created = Mailbox.objects.get_or_create(
        name="bench", defaults={"kind": "pipe", "address": "itdesk@example.test", "rate_limit_per_hour": 0}
    )
    corpus_dir = Path(tempfile.mkdtemp(prefix="itdesk-mail-corpus-"))
    n_new = int(ARGS.messages * 0.7)
    n_replies = ARGS.messages - n_new
    first = _write(corpus_dir, new_requests(rng, n_new, people), "new")
    print(f"data dir {os.environ['ITDESK_DATA_DIR']}, corpus {corpus_dir}: {n_new} new + {n_replies} replies")

    seconds_new, cpu_new, actions = _ingest_all(first, mailbox, ARGS.profile)
    tickets = list(
        Ticket.objects.filter(channel="email")
        .select_related("requester")
        .values_list("number", "requester__email", "title")
    )
    second = _write(corpus_dir, replies(rng, n_replies, tickets, n_new), "reply")
    seconds_replies, cpu_replies, reply_actions = _ingest_all(second, mailbox, ARGS.profile)
    actions.update(reply_actions)
    # CPU time next to wall time: on a shared machine the CPU milliseconds per message are the steadier figure.
    for label, count, seconds, cpu in (
        ("new requests:", len(first), seconds_new, cpu_new),
        ("replies:     ", len(second), seconds_replies, cpu_replies),
        ("all:         ", ARGS.messages, seconds_new + seconds_replies, cpu_new + cpu_replies),
    ):
        print(
            f"{label} {count} in {seconds:.2f} s = {count / seconds:,.1f} messages/s "
            f"({seconds / count * 1000:.2f} ms per message, {cpu / count * 1000:.2f} ms CPU)"
            + (" (target >= 100 messages/s)" if label.startswith("all") else "")
        )
    print("actions:", dict(sorted(actions.items())))

    if ARGS.batch:
        itdesk = Path(sys.executable).with_name("itdesk")
        spool = corpus_dir / "spool"
        spool.mkdir()
        _write(spool, new_requests(random.Random(ARGS.seed + 2), ARGS.batch, people), "spool")
        started = time.perf_counter()
        done = subprocess.run(
            [str(itdesk), "mail", "ingest", str(spool), "--mailbox", "bench"], check=True, capture_output=True,
            env={**os.environ},
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        taken = len(done.stdout.splitlines())
        print(
            f"CLI batch:    {taken} in {elapsed:.2f} s = {taken / elapsed:,.1f} messages/s "
            "(one `itdesk mail ingest DIRECTORY`, start-up included)"
        )

    if ARGS.cli:
        itdesk = Path(sys.executable).with_name("itdesk")
        sample = _write(corpus_dir, new_requests(random.Random(ARGS.seed + 1), ARGS.cli, people), "cli")
        env = {**os.environ}
        started = time.perf_counter()
        for path in sample:
            with path.open("rb") as handle:
                subprocess.run(
                    [str(itdesk), "mail", "ingest", "-", "--mailbox", "bench"], stdin=handle, check=True,
                    env=env, capture_output=True,
                )  # fmt: skip
        elapsed = time.perf_counter() - started
        print(
            f"CLI pipe:     {len(sample)} in {elapsed:.2f} s = {elapsed / len(sample) * 1000:.0f} ms per message"
        )


if __name__ == "__main__":
    main()
