"""POST /api/activations: a cloud instance activates with its license's code and gets its license file.

No staff session: the code is the credential. So the route reads at most MAX_BODY bytes, answers
ATTEMPTS_PER_MINUTE tries per client address a minute, never writes the code anywhere, and answers
every bad request with a JSON error and a 4xx status. An activation is in the sign-in audit; a refused
one is a refusal there (counted, like every refusal)."""

import json
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from admin_app.auth.client_address import of_request
from admin_app.auth.gate import record_refusal
from admin_app.db.licenses.activations import CODE_USED, UNKNOWN_CODE, record_activation
from admin_app.db.licenses.files import license_file_text
from admin_app.db.outcomes import Outcome
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session
from admin_app.db.staff.auth_events import record_auth_event
from admin_app.license_key import signing_key
from admin_app.web.request_limits import AttemptsPerAddress, bounded_body

PATH = "/api/activations"
MAX_BODY = 2_048
ATTEMPTS_PER_MINUTE = 10
ATTEMPTS = AttemptsPerAddress(ATTEMPTS_PER_MINUTE, 60.0)
EXPECTED = 'Send JSON: {"code": "<activation code>", "instance_id": "<this instance\'s id>"}.'
REFUSED_STATUS = {UNKNOWN_CODE: 404, CODE_USED: 409}
NO_STORE = {"Cache-Control": "no-store"}


def _error(status: int, message: str, fields: dict[str, str] | None = None, **headers: str) -> Response:
    return JSONResponse(
        {"error": message, "fields": fields or {}}, status_code=status, headers={**NO_STORE, **headers}
    )


def _request_of(body: bytes) -> tuple[object, object] | None:
    """(code, instance id) from the JSON body, or None when it is not a JSON object."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(payload, dict):
        return None
    return payload.get("code"), payload.get("instance_id")


async def activate(request: Request) -> Response:
    """The code and an instance id in; the signed license file out (the same one when the instance asks
    again)."""
    address = of_request(request)
    wait = ATTEMPTS.retry_after(address)
    if wait:
        await record_refusal("", address, f"{PATH}: more than {ATTEMPTS_PER_MINUTE} attempts a minute")
        return _error(429, f"Too many attempts; try again in {wait} seconds.", **{"Retry-After": str(wait)})
    body = await bounded_body(request, MAX_BODY)
    if body is None:
        return _error(413, f"The request is longer than {MAX_BODY:,} bytes. {EXPECTED}")
    asked = _request_of(body)
    if asked is None:
        return _error(400, EXPECTED)
    code, instance_id = asked

    def activate_and_sign(session) -> Outcome[tuple[int, str]]:
        outcome = record_activation(session=session, code=code, instance_id=instance_id, at=datetime.now(UTC))
        if not outcome.ok:
            return outcome
        activated = outcome.value
        license = activated.license
        record_auth_event(
            session=session,
            kind="activation",
            at=datetime.now(UTC),
            client_address=address,
            detail=f"license {license.id} ({license.company}) "
            f"{'activated' if activated.first_time else 'sent again'} for instance "
            f"{activated.activation.instance_id}",
        )
        return Outcome(value=(license.id, license_file_text(license, signing_key())))

    try:
        outcome = await in_session(activate_and_sign)
    except SQLAlchemyError:
        return _error(503, DATABASE_UNAVAILABLE)
    if outcome.field_errors:
        return _error(422, "The activation needs a code and an instance id.", outcome.field_errors)
    if not outcome.ok:
        await record_refusal("", address, f"{PATH}: {outcome.message}")
        return _error(REFUSED_STATUS.get(outcome.message, 409), outcome.message)
    license_id, license_text = outcome.value
    return JSONResponse({"license_id": license_id, "license": license_text}, headers=NO_STORE)
