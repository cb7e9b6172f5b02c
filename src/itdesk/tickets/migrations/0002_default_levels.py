"""Default priority levels (the seeds' P1-P4 targets) and the service-type tree."""

from django.db import migrations

PRIORITIES = [
    # code, en, zh, rank, response min, resolution min, business?, colour, description en, description zh
    ("P1", "Critical", "紧急", 1, 5, 120, False, "red",
     "Core business down, many people affected", "核心业务中断，大面积受影响"),
    ("P2", "High", "高", 2, 15, 240, False, "orange",
     "Important business affected, small-scale outage", "重要业务受影响，小范围中断"),
    ("P3", "Medium", "中", 3, 30, 480, True, "blue",
     "Non-core business affected, one user", "非核心业务受影响，单用户故障"),
    ("P4", "Low", "低", 4, 60, 3 * 8 * 60, True, "grey",
     "Questions and suggestions that do not affect work", "咨询类请求、优化建议等不影响业务的常规需求"),
]

CATEGORIES = [
    # code, en, zh, parent
    ("hardware", "Hardware", "硬件故障", None),
    ("hardware-pc", "Computer", "电脑", "hardware"),
    ("hardware-printer", "Printer", "打印机", "hardware"),
    ("hardware-peripheral", "Peripherals", "外设", "hardware"),
    ("software", "Software", "软件问题", None),
    ("software-os", "Operating system", "操作系统", "software"),
    ("software-office", "Office software", "办公软件", "software"),
    ("software-business", "Business system", "业务系统", "software"),
    ("network", "Network", "网络故障", None),
    ("network-vpn", "VPN", "VPN", "network"),
    ("network-wifi", "Wi-Fi", "无线网络", "network"),
    ("account", "Account & permission", "账号权限", None),
    ("account-password", "Password reset", "密码重置", "account"),
    ("account-access", "Permission change", "权限变更", "account"),
    ("security", "Security incident", "安全事件", None),
    ("service-request", "Service request", "服务请求", None),
    ("consulting", "Consulting & training", "咨询培训", None),
    ("custom", "Custom work", "定制化服务", None),
]


def create_defaults(apps, schema_editor):
    Priority = apps.get_model("tickets", "Priority")
    Category = apps.get_model("tickets", "Category")
    DeskSettings = apps.get_model("tickets", "DeskSettings")
    for code, en, zh, rank, resp, resol, business, colour, d_en, d_zh in PRIORITIES:
        Priority.objects.get_or_create(
            code=code,
            defaults=dict(
                name_en=en, name_zh=zh, rank=rank, response_minutes=resp, resolution_minutes=resol,
                resolution_in_business_time=business, colour=colour, description_en=d_en, description_zh=d_zh,
                is_default=(code == "P3"),
            ),
        )
    by_code = {}
    for position, (code, en, zh, parent) in enumerate(CATEGORIES):
        by_code[code], _ = Category.objects.get_or_create(
            code=code,
            defaults=dict(name_en=en, name_zh=zh, parent=by_code.get(parent), position=position),
        )
    DeskSettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
