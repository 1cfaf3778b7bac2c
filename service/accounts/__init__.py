"""Accounts: verifying email addresses, resetting forgotten passwords, changing a password.

Above introductions, whose outbox emails the links, and below nothing it needs: sign-up and
profile edits come here so that a new or changed address is sent its verification link in the
same transaction.
"""
