"""Errors the engine raises; `web/` maps each to one HTTP status in one place.

    OneThingError
    ├── ModelError            a BPMN model or matter file is invalid (carries Problems)   -> 422
    ├── InputError            bad data from a caller: malformed JSON, invalid form field  -> 422
    │   └── ImportRefused      an event log with bad rows (carries `FILE:ROW: message` lines) -> 422
    ├── NotFound
    │   ├── MatterNotFound                                                               -> 404
    │   ├── CaseNotFound       also for staff outside the case                           -> 404
    │   └── StepNotFound                                                                 -> 404
    ├── NotAllowed
    │   └── NotYourDepartment  the actor is not a member of the step's department         -> 403
    ├── Conflict
    │   ├── StepNotReady       the step is not READY (done, future, cancelled...)         -> 409
    │   ├── StaleCase          the case changed since the actor saw it                    -> 409
    │   ├── StepClaimed        someone else holds the claim on the step                   -> 409
    │   └── CaseClosed         the case is completed, cancelled or in error              -> 409
    ├── Throttled              too many attempts (e.g. wrong lookup checks); try later   -> 429
    │   └── FullPhoneRequired  a number under attack: only the full phone number is checked -> 429
    └── SandboxError           a condition or script broke a sandbox rule or its time limit
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.model.problems import Problem


class OneThingError(Exception):
    """Base of every error the engine raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ModelError(OneThingError):
    """A model or matter file failed validation; `problems` says where and why."""

    code = "invalid_model"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems) or "invalid model")


class InputError(OneThingError):
    code = "invalid_input"


class ImportRefused(InputError):
    """An event log was refused as a whole; `problems` holds one `FILE:ROW: message` line per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        more = " (and more problems)" if len(self.problems) > 1 else ""
        super().__init__(f"the log was refused, nothing imported: {self.problems[0] if self.problems else '?'}{more}")


class NotFound(OneThingError):
    code = "not_found"


class MatterNotFound(NotFound):
    pass


class CaseNotFound(NotFound):
    @classmethod
    def of(cls, number: str) -> CaseNotFound:
        """The one answer for a number no case has, and for staff outside a case, who must not tell the two apart."""
        from engine.text import Text

        return cls(Text("no case '%(number)s'", number=number))


class StepNotFound(NotFound):
    pass


class NotAllowed(OneThingError):
    code = "forbidden"


class NotYourDepartment(NotAllowed):
    pass


class Conflict(OneThingError):
    code = "conflict"


class StepNotReady(Conflict):
    pass


class StaleCase(Conflict):
    pass


class StepClaimed(Conflict):
    pass


class CaseClosed(Conflict):
    pass


class Throttled(OneThingError):
    """Too many attempts in a short time (e.g. wrong case-lookup checks); `retry_after`: seconds to wait, if known."""

    code = "throttled"

    def __init__(self, message: str, *, retry_after: int | None = None,
                 fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message, fields=fields)
        self.retry_after = retry_after


class FullPhoneRequired(Throttled):
    """The short check (last four phone digits) of a case number under attack is refused for a while;
    the full mobile number is still accepted, so the applicant is never locked out."""

    code = "full_phone_required"


class SandboxError(OneThingError):
    """A condition or script was refused by the sandbox or ran past its time limit."""

    code = "sandbox"


def require_choice(value: object, choices: Sequence[str], field: str) -> None:
    """InputError naming `field` unless `value` is one of `choices` (a source, a variant, a sort...)."""
    if value not in choices:
        from engine.text import Listed, Text

        raise InputError(Text("unknown %(field)s '%(value)s': one of %(choices)s", field=field, value=value,
                              choices=Listed(choices)), fields={field: [Text("one of %(choices)s",
                                                                             choices=Listed(choices))]})
