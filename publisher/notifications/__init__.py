"""Notifications: telling people what happened to posts that concern them, in the dashboard and by e-mail.

It owns the notifications a person reads (one row per person and event, data not words: the words are
chosen when it is shown or mailed, in the reader's language), each person's choices of what reaches
them where, the mailing of them by the worker, and the reminders about posts waiting too long for
approval. Posts and publishing call `making` in the transaction that changes a post; nothing here
changes a post.
"""
