"""Third-party verification of contact points: a small provider interface.

A provider takes values (email domains here) and answers each with an outcome; it never
sees who the contact is. The one real provider asks DNS whether a domain accepts mail (an MX
record, or failing that an A/AAAA record, RFC 5321 §5.1). Tests give it a fake resolver;
nothing in the test suite touches the network (``DATAQUALITY_DELIVERABILITY_CHECK`` is off).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

OUTCOME_DELIVERABLE = "deliverable"
OUTCOME_UNDELIVERABLE = "undeliverable"
OUTCOME_UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verdict:
    outcome: str
    detail: str = ""  # why, in words with no personal data ("no MX or A record")


class Provider(Protocol):
    source: str

    def check_domains(self, domains: Iterable[str]) -> dict[str, Verdict]: ...


class NoAnswer(Exception):
    """The name exists but has no record of that type."""


class NoSuchDomain(Exception):
    """The domain does not exist (NXDOMAIN)."""


# resolve(name, record_type) -> list of answers; raises NoAnswer / NoSuchDomain, or any
# other exception for "could not tell" (timeouts, server failures).
Resolver = Callable[[str, str], list]


def dnspython_resolver(lifetime: float = 5.0) -> Resolver:
    """A resolver backed by dnspython, with its exceptions mapped to ours."""
    import dns.exception
    import dns.resolver

    resolver = dns.resolver.Resolver()
    resolver.lifetime = lifetime

    def resolve(name: str, record_type: str) -> list:
        try:
            return list(resolver.resolve(name, record_type))
        except dns.resolver.NXDOMAIN as error:
            raise NoSuchDomain(name) from error
        except dns.resolver.NoAnswer as error:
            raise NoAnswer(name) from error
        except dns.exception.DNSException:
            raise

    return resolve


class DnsDeliverability:
    """Deliverable if the domain has an MX record, or no MX but an A or AAAA record."""

    source = "dns"

    def __init__(self, resolver: Resolver | None = None) -> None:
        self._resolve = resolver or dnspython_resolver()

    def check_domain(self, domain: str) -> Verdict:
        try:
            for record_type in ("MX", "A", "AAAA"):
                try:
                    if self._resolve(domain, record_type):
                        return Verdict(OUTCOME_DELIVERABLE, f"{record_type} record")
                except NoAnswer:
                    continue
        except NoSuchDomain:
            return Verdict(OUTCOME_UNDELIVERABLE, "domain does not exist")
        except Exception as error:  # a timeout or server failure: ask again next time
            return Verdict(OUTCOME_UNKNOWN, type(error).__name__[:100])
        return Verdict(OUTCOME_UNDELIVERABLE, "no MX, A or AAAA record")

    def check_domains(self, domains: Iterable[str]) -> dict[str, Verdict]:
        return {domain: self.check_domain(domain) for domain in sorted(set(domains))}


_provider_factory: Callable[[], Provider] = DnsDeliverability


def get_provider() -> Provider:
    return _provider_factory()


def set_provider_factory(factory: Callable[[], Provider]) -> Callable[[], Provider]:
    """Swap the provider (tests, or another vendor); returns the previous factory."""
    global _provider_factory
    previous, _provider_factory = _provider_factory, factory
    return previous
