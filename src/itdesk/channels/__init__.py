"""Intake and output channels: e-mail in (IMAP, MTA pipe), IM bots, webhooks."""
