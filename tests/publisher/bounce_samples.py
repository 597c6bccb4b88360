"""Delivery status notifications as real mail servers write them (RFC 3464), and messages that are not one.

Each is modelled on what the server sends: its boundary style, its field order, its diagnostic wording. Our
own message, the one that bounced, has a Message-ID from publisher.core.mail (…@publisher.local).
"""

from __future__ import annotations

ORIGINAL_ID = "<notification-17.1733300000@publisher.local>"


def crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


POSTFIX = crlf(f"""\
Return-Path: <>
Received: by mx.mup.gov.rs (Postfix) id 4Rk2d81Z5Fz9sWc; Fri,  4 Dec 2026 10:15:02 +0100 (CET)
Date: Fri,  4 Dec 2026 10:15:02 +0100 (CET)
From: MAILER-DAEMON@mx.mup.gov.rs (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: publisher@ministarstvo.gov.rs
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4Rk2d81Z5Fz9sWc.1733303702/mx.mup.gov.rs"
Content-Transfer-Encoding: 8bit
Message-Id: <20261204091502.4Rk2d81Z5Fz9sWc@mx.mup.gov.rs>

This is a MIME-encapsulated message.

--4Rk2d81Z5Fz9sWc.1733303702/mx.mup.gov.rs
Content-Description: Notification
Content-Type: text/plain; charset=utf-8

This is the mail system at host mx.mup.gov.rs.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<Jovana.Petrovic@mup.gov.rs>: host mail.mup.gov.rs[10.1.2.3] said: 550 5.1.1
    <jovana.petrovic@mup.gov.rs>: Recipient address rejected: User unknown in
    virtual mailbox table (in reply to RCPT TO command)

--4Rk2d81Z5Fz9sWc.1733303702/mx.mup.gov.rs
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.mup.gov.rs
X-Postfix-Queue-ID: 4Rk2d81Z5Fz9sWc
X-Postfix-Sender: rfc822; publisher@ministarstvo.gov.rs
Arrival-Date: Fri,  4 Dec 2026 10:15:01 +0100 (CET)

Final-Recipient: rfc822; Jovana.Petrovic@mup.gov.rs
Original-Recipient: rfc822;Jovana.Petrovic@mup.gov.rs
Action: failed
Status: 5.1.1
Remote-MTA: dns; mail.mup.gov.rs
Diagnostic-Code: smtp; 550 5.1.1 <jovana.petrovic@mup.gov.rs>: Recipient
    address rejected: User unknown in virtual mailbox table

--4Rk2d81Z5Fz9sWc.1733303702/mx.mup.gov.rs
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers
Content-Transfer-Encoding: 8bit

Return-Path: <publisher@ministarstvo.gov.rs>
From: publisher@ministarstvo.gov.rs
To: Jovana.Petrovic@mup.gov.rs
Subject: =?utf-8?q?Objava_=C4=8Deka_odobrenje?=
Date: Fri, 04 Dec 2026 09:15:00 -0000
Message-ID: {ORIGINAL_ID}

--4Rk2d81Z5Fz9sWc.1733303702/mx.mup.gov.rs--
""")

EXIM = crlf("""\
Return-path: <>
Envelope-to: publisher@ministarstvo.gov.rs
Received: from mail by smtp.rts.rs with local (Exim 4.96)
	id 1tIxyz-0003Ab-2Q
	for publisher@ministarstvo.gov.rs; Fri, 04 Dec 2026 10:20:11 +0100
X-Failed-Recipients: urednik@rts.rs
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@smtp.rts.rs>
To: publisher@ministarstvo.gov.rs
Content-Type: multipart/report; report-type=delivery-status; boundary=1733304011-eximdsn-1804289383
MIME-Version: 1.0
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1tIxyz-0003Ab-2Q@smtp.rts.rs>
Date: Fri, 04 Dec 2026 10:20:11 +0100

--1733304011-eximdsn-1804289383
Content-type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  urednik@rts.rs
    mailbox is full: retry timeout exceeded

--1733304011-eximdsn-1804289383
Content-type: message/delivery-status

Reporting-MTA: dns; smtp.rts.rs

Action: failed
Final-Recipient: rfc822;urednik@rts.rs
Status: 5.0.0
Diagnostic-Code: X-Exim; mailbox is full: retry timeout exceeded

--1733304011-eximdsn-1804289383
Content-type: message/rfc822

Return-path: <publisher@ministarstvo.gov.rs>
Message-ID: <alert-3.1733303000@publisher.local>
From: publisher@ministarstvo.gov.rs
To: urednik@rts.rs
Subject: Saopstenje
Date: Fri, 04 Dec 2026 09:10:00 +0000

Tekst saopstenja.

--1733304011-eximdsn-1804289383--
""")

GMAIL = crlf("""\
Delivered-To: publisher@ministarstvo.gov.rs
Return-Path: <>
MIME-Version: 1.0
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
Date: Fri, 04 Dec 2026 01:22:45 -0800 (PST)
Message-ID: <674f5a15.050a0220.3a1d2.8f3bSMTPIN_ADDED_MISSING@mx.google.com>
To: publisher@ministarstvo.gov.rs
Subject: Delivery Status Notification (Failure)
References: <newsletter-9.1733303000@publisher.local>
In-Reply-To: <newsletter-9.1733303000@publisher.local>
X-Failed-Recipients: nepostoji.novinar@gmail.com
Auto-Submitted: auto-replied
Content-Type: multipart/report; boundary="000000000000a1b2c3062891e5f0"; report-type=delivery-status

--000000000000a1b2c3062891e5f0
Content-Type: multipart/related; boundary="000000000000a1d4e5062891e5f8"

--000000000000a1d4e5062891e5f8
Content-Type: multipart/alternative; boundary="000000000000a1d4ee062891e5f9"

--000000000000a1d4ee062891e5f9
Content-Type: text/plain; charset="UTF-8"


** Address not found **

Your message wasn't delivered to nepostoji.novinar@gmail.com because the address couldn't be found, or is unable to receive mail.

--000000000000a1d4ee062891e5f9
Content-Type: text/html; charset="UTF-8"

<html><body><h1>Address not found</h1></body></html>

--000000000000a1d4ee062891e5f9--
--000000000000a1d4e5062891e5f8--

--000000000000a1b2c3062891e5f0
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; smtp.ministarstvo.gov.rs
Arrival-Date: Fri, 04 Dec 2026 01:22:44 -0800 (PST)
X-Original-Message-ID: <newsletter-9.1733303000@publisher.local>

Final-Recipient: rfc822; nepostoji.novinar@gmail.com
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com. (2a00:1450:400c:c07::1b, the server for the domain gmail.com.)
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try
 550-5.1.1 double-checking the recipient's email address for typos or
 550-5.1.1 unnecessary spaces. For more information, go to
 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a640c23a62f3a-aa5996c2a1bsi123456766b.412 - gsmtp
Last-Attempt-Date: Fri, 04 Dec 2026 01:22:45 -0800 (PST)

--000000000000a1b2c3062891e5f0
Content-Type: message/rfc822

MIME-Version: 1.0
From: publisher@ministarstvo.gov.rs
To: nepostoji.novinar@gmail.com
Subject: Pregled objava
Message-ID: <newsletter-9.1733303000@publisher.local>
Date: Fri, 04 Dec 2026 09:22:40 +0000
Content-Type: text/plain; charset="UTF-8"

Pregled.

--000000000000a1b2c3062891e5f0--
""")

EXCHANGE = crlf("""\
Received: from AM9PR01MB1234.eurprd01.prod.exchangelabs.com ([::1]) by
 AM9PR01MB1234.eurprd01.prod.exchangelabs.com ([fe80::1%5]) with mapi id
 15.20.8207.017; Fri, 4 Dec 2026 09:30:03 +0000
MIME-Version: 1.0
From: <postmaster@vlada.gov.rs>
To: <publisher@ministarstvo.gov.rs>
Date: Fri, 4 Dec 2026 09:30:03 +0000
Content-Type: multipart/report; report-type=delivery-status;
	boundary="b6a6e2f0-1f3c-4b7a-9c1e-2f9e8d7c6b5a"
X-MS-Exchange-Message-Is-Ndr:
Content-Language: en-US
Message-ID:
 <f3a1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b@AM9PR01MB1234.eurprd01.prod.exchangelabs.com>
In-Reply-To: <approval-44.1733304000@publisher.local>
Subject: Undeliverable: Zahtev za odobrenje
Auto-Submitted: auto-replied

--b6a6e2f0-1f3c-4b7a-9c1e-2f9e8d7c6b5a
Content-Type: multipart/alternative;
	boundary="f4c5d6e7-8091-4a2b-b3c4-d5e6f7081920"

--f4c5d6e7-8091-4a2b-b3c4-d5e6f7081920
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

Your message to Marko.Jovanovic@vlada.gov.rs couldn't be delivered.
Marko.Jovanovic wasn't found at vlada.gov.rs.

--f4c5d6e7-8091-4a2b-b3c4-d5e6f7081920--

--b6a6e2f0-1f3c-4b7a-9c1e-2f9e8d7c6b5a
Content-Type: message/delivery-status

Reporting-MTA: dns;AM9PR01MB1234.eurprd01.prod.exchangelabs.com
Received-From-MTA: dns;smtp.ministarstvo.gov.rs
Arrival-Date: Fri, 4 Dec 2026 09:30:02 +0000

Final-Recipient: rfc822;Marko.Jovanovic@vlada.gov.rs
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient
 Marko.Jovanovic@vlada.gov.rs not found by SMTP address lookup

--b6a6e2f0-1f3c-4b7a-9c1e-2f9e8d7c6b5a
Content-Type: text/rfc822-headers

Received: from smtp.ministarstvo.gov.rs (10.0.0.5) by
 AM9PR01MB1234.eurprd01.prod.exchangelabs.com; Fri, 4 Dec 2026 09:30:02 +0000
From: publisher@ministarstvo.gov.rs
To: Marko.Jovanovic@vlada.gov.rs
Subject: Zahtev za odobrenje
Date: Fri, 4 Dec 2026 09:30:00 +0000
Message-ID: <approval-44.1733304000@publisher.local>
Content-Type: text/plain

--b6a6e2f0-1f3c-4b7a-9c1e-2f9e8d7c6b5a--
""")


def delayed(n: int = 1, address: str = "spori@server.rs") -> bytes:
    """Postfix's warning that a message is still queued: transient (4.4.1), Action: delayed."""
    return crlf(f"""\
Return-Path: <>
Date: Fri,  4 Dec 2026 14:1{n}:00 +0100 (CET)
From: MAILER-DAEMON@mx.ministarstvo.gov.rs (Mail Delivery System)
Subject: Delayed Mail (still being retried)
To: publisher@ministarstvo.gov.rs
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="D{n}.1733317860/mx.ministarstvo.gov.rs"
Message-Id: <20261204131{n}00.D{n}@mx.ministarstvo.gov.rs>

--D{n}.1733317860/mx.ministarstvo.gov.rs
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.ministarstvo.gov.rs.

####################################################################
# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
####################################################################

--D{n}.1733317860/mx.ministarstvo.gov.rs
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.ministarstvo.gov.rs
Arrival-Date: Fri,  4 Dec 2026 10:11:00 +0100 (CET)

Final-Recipient: rfc822; {address}
Action: delayed
Status: 4.4.1
Diagnostic-Code: X-Postfix; connect to mx.server.rs[192.0.2.7]:25: Connection
    timed out
Will-Retry-Until: Tue,  8 Dec 2026 10:11:00 +0100 (CET)

--D{n}.1733317860/mx.ministarstvo.gov.rs
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: publisher@ministarstvo.gov.rs
To: {address}
Message-ID: <digest-{n}.1733303000@publisher.local>

--D{n}.1733317860/mx.ministarstvo.gov.rs--
""")


NOT_A_REPORT = crlf("""\
From: Petar Nikolic <petar.nikolic@gmail.com>
To: publisher@ministarstvo.gov.rs
Subject: Pitanje o saopstenju
Message-ID: <CAB+gr1=xyz@mail.gmail.com>
Date: Fri, 4 Dec 2026 11:00:00 +0100
Content-Type: text/plain; charset=utf-8

Postovani, kada ce biti objavljeno saopstenje o novim pravilima?
""")

# Says it is a delivery-status report; its status part has no per-recipient block at all.
MALFORMED = crlf("""\
From: MAILER-DAEMON@broken.example.org
To: publisher@ministarstvo.gov.rs
Subject: Undelivered Mail
Message-ID: <broken-1@broken.example.org>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="XX"

--XX
Content-Type: text/plain

Something went wrong.

--XX
Content-Type: message/delivery-status

Reporting-MTA: dns; broken.example.org

--XX--
""")

# A report whose recipient is not an address at all.
BAD_RECIPIENT = MALFORMED.replace(b"Reporting-MTA: dns; broken.example.org\r\n",
                                  b"Reporting-MTA: dns; broken.example.org\r\n\r\n"
                                  b"Final-Recipient: rfc822; not an address\r\nAction: failed\r\nStatus: 5.1.1\r\n")
