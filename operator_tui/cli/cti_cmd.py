"""`hotline cti check URL`: can this seat reach its phone system, and what does the switch say?

    HOTLINE_CTI_PASSWORD=ClueCon hotline cti check 'freeswitch://10.0.0.5:8021?agent=1001@default'
    HOTLINE_CTI_USER=hotline HOTLINE_CTI_SECRET_FILE=~/.config/hotline/cti.secret \
        hotline cti check 'asterisk://10.0.0.6:5038?interface=PJSIP/1001'

It logs in, subscribes, reads the agent's state and the seat's calls (the same resynchronisation
the seat does on every reconnect), prints them and disconnects. A wrong URL or credential, or a
switch that does not answer, ends in one line on stderr and exit code 2.
"""

from __future__ import annotations

import asyncio

import typer

from .base import settings

STATE_NAMES = {"ready": "示闲", "not_ready": "示忙", "after_call_work": "话后整理", "logged_out": "未登录"}


def register(app: typer.Typer) -> None:
    cti = typer.Typer(
        help="电话系统（CTI）连接 / the phone system link (FreeSWITCH ESL, Asterisk AMI).", no_args_is_help=True
    )
    cti.command("check")(check)
    app.add_typer(cti, name="cti")


def check(
    ctx: typer.Context,
    url: str = typer.Argument(
        ...,
        metavar="URL",
        help="freeswitch://host:8021?agent=1001@default or asterisk://host:5038?interface=PJSIP/1001",
    ),
    timeout: float = typer.Option(5.0, "--timeout", min=0.5, max=60, help="Seconds to wait for the switch."),
) -> None:
    """Log in to the switch, read the agent's state and calls, and disconnect (credentials from
    HOTLINE_CTI_USER/HOTLINE_CTI_PASSWORD or the 0600 file HOTLINE_CTI_SECRET_FILE)."""
    # The phone-system adapters only when this command runs: `hotline --help` loads every command module.
    from ..cti import CtiError, connect_link, parse_cti_url

    try:
        config = parse_cti_url(url, settings(ctx).cti_credentials())
        link = connect_link(config, connect_timeout=timeout)
        asyncio.run(_check(link))
    except CtiError as exc:
        typer.echo(" ".join(str(exc).split()), err=True)
        raise typer.Exit(code=2) from None
    state = link.agent_state
    state_text = (STATE_NAMES[state[0].value] + (f"（{state[1]}）" if state[1] else "")) if state else "未知"
    live = [r for r in link.calls.values() if not r.ended]
    typer.echo(f"已连接 {config.url}：坐席 {link.book.agent} 状态 {state_text}，进行中的通话 {len(live)} 个")


async def _check(link) -> None:
    try:
        await link.connect()
    finally:
        await link.close()
