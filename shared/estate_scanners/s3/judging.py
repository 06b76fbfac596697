"""Run checks over fetched facts: unreadable facts become ERROR, a judge's crash stays its own."""

from __future__ import annotations

from collections.abc import Callable

from estate_scanners.check_model import run_judge
from estate_scanners.s3.check_model import (
    AccountCheck,
    BucketCheck,
    BucketSubject,
    FactCheck,
    FactUnavailable,
    Verdict,
    errored,
)
from estate_scanners.s3.facts import AccountFacts, Fact, Fetched, FetchError


def judge_bucket(check: BucketCheck, subject: BucketSubject) -> Verdict:
    """The check's verdict on one bucket."""

    def read(fact: Fact) -> Fetched[object]:
        return subject.account.get(fact) if fact.is_account_fact else subject.bucket.get(fact)

    return _judge(check, read, lambda: check.judge(subject))


def judge_account(check: AccountCheck, account: AccountFacts) -> Verdict:
    """The check's verdict on the account."""
    return _judge(check, account.get, lambda: check.judge(account))


def unreadable_facts(
    check: FactCheck, read: Callable[[Fact], Fetched[object]]
) -> dict[str, FetchError]:
    """The check's needed facts that could not be fetched, by fact name."""
    return {
        fact.value: value
        for fact in sorted(check.needs)
        if isinstance(value := read(fact), FetchError)
    }


def error_verdict(errors: dict[str, FetchError]) -> Verdict:
    """ERROR naming each unreadable fact with its operation, code and message."""
    described = "; ".join(
        f"{error.operation or name} failed with {error.code}" for name, error in errors.items()
    )
    return errored(
        f"Could not evaluate: {described}.",
        errors={name: error.as_evidence() for name, error in errors.items()},
    )


def _judge(
    check: FactCheck, read: Callable[[Fact], Fetched[object]], run: Callable[[], Verdict]
) -> Verdict:
    if not check.judges_partial_facts:
        errors = unreadable_facts(check, read)
        if errors:
            return error_verdict(errors)

    def decide() -> Verdict:
        try:
            return run()
        except FactUnavailable as missing:
            # A partial judge that could not decide, or a judge reading a fact its `needs`
            # do not list (it sees NOT_FETCHED): either way, ERROR naming the fact.
            name = next(
                (f.value for f in sorted(check.needs) if read(f) == missing.error), "undeclared"
            )
            return error_verdict({name: missing.error})

    return run_judge(check, decide)
