"""A mail catcher for the tests: a real SMTP server (aiosmtpd) on 127.0.0.1.

It prints {"port": N} once it listens, then one JSON line per message it accepts, before it
answers 250, so a message is on stdout by the time the sender hears it was delivered.
Recipients at reject.example are refused with 550, the way a real server refuses an address.
It exits when its stdin closes, so it never outlives the test that started it.
"""

import asyncio
import json
import sys

from aiosmtpd.smtp import SMTP


class PrintMessages:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().endswith("@reject.example"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
        }
        print(json.dumps(message), flush=True)
        return "250 Message accepted for delivery"


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(PrintMessages(), hostname="localhost"), "127.0.0.1", 0
    )
    print(json.dumps({"port": server.sockets[0].getsockname()[1]}), flush=True)
    await loop.run_in_executor(None, sys.stdin.read)


asyncio.run(main())
