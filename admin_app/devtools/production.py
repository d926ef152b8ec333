"""The production shape on one machine: two app instances behind a load balancer, sharing one PostgreSQL
and one Redis, each instance running two workers.

The balancer is a TCP proxy on its own port; the instances are built with its address as APP_URL, so
the browser's websocket goes through it too. The instances reach PostgreSQL through another proxy that
can be cut (a restarting database drops every connection and refuses new ones), and a Redis server of
their own that can be restarted (losing every key, as a Redis without persistence does).
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from admin_app.devtools.redis_server import RedisProcess, redis_server
from admin_app.devtools.reflex_server import free_port, reflex_server
from admin_app.devtools.tcp_proxy import TcpProxy, tcp_proxy


@dataclass
class Production:
    url: str  # the load balancer's: what staff open
    balancer: TcpProxy
    database_link: TcpProxy
    database_url: str  # direct, for the caller's own checks
    redis: RedisProcess
    _start_instance: Callable[[str], tuple[str, int]]
    _running: dict[str, tuple[str, int]] = field(default_factory=dict)

    def instance(self, name: str) -> tuple[str, int]:
        """The address of instance "a" or "b", started the first time it is asked for: most callers
        never move a browser off "a", and an instance costs a frontend build and two workers."""
        if name not in self._running:
            self._running[name] = self._start_instance(name)
        return self._running[name]


@contextmanager
def production_shape(
    database_url: str,
    issuer: str,
    workdir: Path,
    services: Callable[[str], AbstractContextManager[Mapping[str, str]]] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[Production]:
    """Instance "a" (and "b" once asked for, see Production.instance) serving the migrated PostgreSQL
    database at `database_url`; the balancer sends every connection to "a". Logs and each instance's
    frontend build go in `workdir`.

    `services`, given the address staff open, starts what the instances talk to (a mail server that
    reports deliveries to that address) and gives the settings that name it; `extra_env` adds settings.
    Raises `ServerFailed` when an instance does not start.
    """
    with ExitStack() as stack:
        target = sa.engine.make_url(database_url)
        database_link = stack.enter_context(tcp_proxy(target.host or "localhost", target.port or 5432))
        app_database_url = target.set(port=database_link.port).render_as_string(hide_password=False)
        redis = stack.enter_context(redis_server(free_port()))
        ports = {"a": free_port(), "b": free_port()}
        balancer = stack.enter_context(tcp_proxy("127.0.0.1", ports["a"]))
        url = f"http://localhost:{balancer.port}"
        service_env = stack.enter_context(services(url)) if services else {}

        def start_instance(name: str) -> tuple[str, int]:
            env = {
                **(extra_env or {}),
                **service_env,
                "OIDC_ISSUER": issuer,
                "REDIS_URL": redis.url,
                "GRANIAN_WORKERS": "2",
                # Each instance builds its own frontend, as on its own host.
                "REFLEX_WEB_WORKDIR": str(workdir / f"web-{name}"),
            }
            log = workdir / f"{name}.log"
            port = ports[name]
            stack.enter_context(reflex_server(app_database_url, port, log, extra_env=env, app_url=url))
            return ("127.0.0.1", port)

        production = Production(
            url=url,
            balancer=balancer,
            database_link=database_link,
            database_url=database_url,
            redis=redis,
            _start_instance=start_instance,
        )
        production.instance("a")
        yield production
