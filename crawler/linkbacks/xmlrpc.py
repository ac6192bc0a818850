"""XML-RPC for Pingback 1.0: requests, responses, faults, parsed only with defusedxml.

Pingback rides on XML-RPC, and the receiver parses XML-RPC bodies from anyone on the
internet. The standard library's ``xmlrpc`` parsers expand entities, so every parse here goes
through ``defusedxml`` with DTDs forbidden: a billion-laughs bomb or an external entity is
refused with a clear ``XmlRpcError`` instead of being expanded. Bodies are size-capped and
values depth-capped for the same reason.

Also here: the Pingback 1.0 fault codes as named constants, the client-side reading of a
``pingback.ping`` answer (fault 48 "already registered" counts as success, so re-sending is
idempotent; WordPress answers 0 for nearly everything, which says nothing about the cause),
and ``pingback.extensions.getPingbacks`` as a linkback route.
"""

from __future__ import annotations

import base64
import binascii
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape

import defusedxml
import defusedxml.ElementTree

from crawler.domain import MentionKind
from crawler.linkbacks.model import ParsedLinkback, Route, RouteUnavailable
from crawler.linkbacks.urls import defrag

# Pingback 1.0 fault codes (bits 5-8: 0x001x source, 0x002x target, 0x003x other).
FAULT_GENERIC = 0x0
FAULT_SOURCE_NOT_FOUND = 0x10
FAULT_SOURCE_LACKS_LINK = 0x11
FAULT_TARGET_NOT_FOUND = 0x20
FAULT_TARGET_INVALID = 0x21
FAULT_ALREADY_REGISTERED = 0x30
FAULT_ACCESS_DENIED = 0x31
FAULT_UPSTREAM_ERROR = 0x32

# xmlrpc-epi interoperability fault codes, for malformed calls.
PARSE_ERROR = -32700
INVALID_XMLRPC = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

FAULT_MESSAGES: dict[int, str] = {
    FAULT_GENERIC: "generic error",
    FAULT_SOURCE_NOT_FOUND: "the source URI does not exist",
    FAULT_SOURCE_LACKS_LINK: "the source URI does not contain a link to the target URI",
    FAULT_TARGET_NOT_FOUND: "the specified target URI does not exist",
    FAULT_TARGET_INVALID: "the specified target URI cannot be used as a target",
    FAULT_ALREADY_REGISTERED: "the pingback has already been registered",
    FAULT_ACCESS_DENIED: "access denied",
    FAULT_UPSTREAM_ERROR: "the server could not communicate with an upstream server",
    PARSE_ERROR: "parse error: not well formed",
    INVALID_XMLRPC: "server error: invalid XML-RPC",
    METHOD_NOT_FOUND: "server error: requested method not found",
    INVALID_PARAMS: "server error: invalid method parameters",
    INTERNAL_ERROR: "server error: internal XML-RPC error",
}

PING_METHOD = "pingback.ping"
GET_PINGBACKS_METHOD = "pingback.extensions.getPingbacks"
MAX_BODY_BYTES = 1_000_000
MAX_DEPTH = 32
_I4 = (-(2**31), 2**31 - 1)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

XmlRpcValue: TypeAlias = (
    "str | int | float | bool | bytes | datetime | list[XmlRpcValue] "
    "| dict[str, XmlRpcValue] | None"
)


@dataclass(frozen=True, slots=True)
class Fault:
    """An XML-RPC fault: ``faultCode`` and ``faultString``."""

    code: int
    string: str


class XmlRpcError(ValueError):
    """A body that is not acceptable XML-RPC (malformed, refused, wrong method or params).

    ``code`` is the fault code to answer with (an xmlrpc-epi interop code).
    """

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def as_fault(self) -> Fault:
        return Fault(self.code, self.message)


@dataclass(frozen=True, slots=True)
class MethodCall:
    name: str
    params: tuple[XmlRpcValue, ...]


@dataclass(frozen=True, slots=True)
class MethodResponse:
    """A decoded methodResponse: either ``value`` or ``fault``."""

    value: XmlRpcValue
    fault: Fault | None = None

    @property
    def ok(self) -> bool:
        return self.fault is None


# ----------------------------------------------------------------------------- encoding


def _xml_text(value: str) -> str:
    return escape(_XML_INVALID.sub("\ufffd", value))


def encode_value(value: XmlRpcValue, _depth: int = 0) -> str:
    """One ``<value>`` element for a Python value."""
    if _depth > MAX_DEPTH:
        raise ValueError("value nested too deeply")
    if value is None:
        return "<value><nil/></value>"
    if isinstance(value, bool):
        return f"<value><boolean>{int(value)}</boolean></value>"
    if isinstance(value, int):
        if not _I4[0] <= value <= _I4[1]:
            raise ValueError(f"integer {value} does not fit XML-RPC i4")
        return f"<value><int>{value}</int></value>"
    if isinstance(value, float):
        return f"<value><double>{value!r}</double></value>"
    if isinstance(value, str):
        return f"<value><string>{_xml_text(value)}</string></value>"
    if isinstance(value, bytes):
        return f"<value><base64>{base64.b64encode(value).decode('ascii')}</base64></value>"
    if isinstance(value, datetime):
        return f"<value><dateTime.iso8601>{value:%Y%m%dT%H:%M:%S}</dateTime.iso8601></value>"
    if isinstance(value, list):
        inner = "".join(encode_value(v, _depth + 1) for v in value)
        return f"<value><array><data>{inner}</data></array></value>"
    members = "".join(
        f"<member><name>{_xml_text(str(k))}</name>{encode_value(v, _depth + 1)}</member>"
        for k, v in value.items()
    )
    return f"<value><struct>{members}</struct></value>"


def build_call(method: str, params: Sequence[XmlRpcValue]) -> bytes:
    """A methodCall document."""
    body = "".join(f"<param>{encode_value(p)}</param>" for p in params)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<methodCall><methodName>{_xml_text(method)}</methodName>"
        f"<params>{body}</params></methodCall>\n"
    ).encode()


def build_ping_request(source: str, target: str) -> bytes:
    """``pingback.ping(sourceURI, targetURI)``: two strings, in that order."""
    return build_call(PING_METHOD, [source, target])


def build_get_pingbacks_request(url: str) -> bytes:
    """``pingback.extensions.getPingbacks(url)`` (WordPress: the pingback sources of a post)."""
    return build_call(GET_PINGBACKS_METHOD, [url])


def render_response(value: XmlRpcValue) -> bytes:
    """A successful methodResponse carrying one value."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<methodResponse><params><param>{encode_value(value)}</param></params>"
        "</methodResponse>\n"
    ).encode()


def render_fault(code: int, string: str | None = None) -> bytes:
    """A fault methodResponse; the string defaults to the code's standard meaning."""
    message = FAULT_MESSAGES.get(code, "error") if string is None else string
    fault = encode_value({"faultCode": code, "faultString": message})
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<methodResponse><fault>{fault}</fault></methodResponse>\n"
    ).encode()


# ----------------------------------------------------------------------------- decoding


def _parse(body: bytes | str) -> Element:
    if len(body) > MAX_BODY_BYTES:
        raise XmlRpcError(INVALID_XMLRPC, f"body larger than {MAX_BODY_BYTES} bytes")
    try:
        return defusedxml.ElementTree.fromstring(
            body, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DTDForbidden as exc:
        raise XmlRpcError(
            PARSE_ERROR, "refused: a document type declaration (DTD) is not allowed"
        ) from exc
    except defusedxml.EntitiesForbidden as exc:
        raise XmlRpcError(PARSE_ERROR, "refused: entity declarations are not allowed") from exc
    except defusedxml.ExternalReferenceForbidden as exc:
        raise XmlRpcError(PARSE_ERROR, "refused: external references are not allowed") from exc
    except defusedxml.DefusedXmlException as exc:
        raise XmlRpcError(PARSE_ERROR, f"refused: {exc}") from exc
    except (ParseError, ValueError) as exc:
        raise XmlRpcError(PARSE_ERROR, f"not well-formed XML: {exc}") from exc


def _child(el: Element, tag: str) -> Element | None:
    for child in el:
        if child.tag == tag:
            return child
    return None


def _text(el: Element) -> str:
    return el.text or ""


def decode_value(value: Element, _depth: int = 0) -> XmlRpcValue:
    """The Python value of a ``<value>`` element; ``XmlRpcError`` if malformed."""
    if _depth > MAX_DEPTH:
        raise XmlRpcError(INVALID_XMLRPC, "value nested too deeply")
    children = list(value)
    if not children:
        return _text(value)  # no type element: a string, whitespace kept
    if len(children) > 1:
        raise XmlRpcError(INVALID_XMLRPC, "a <value> holds more than one type element")
    typed = children[0]
    tag, text = typed.tag, _text(typed).strip()
    try:
        if tag == "string":
            return _text(typed)
        if tag in ("int", "i4", "i8"):
            return int(text)
        if tag == "boolean":
            if text not in ("0", "1"):
                raise XmlRpcError(INVALID_XMLRPC, f"bad boolean {text!r}")
            return text == "1"
        if tag == "double":
            return float(text)
        if tag == "nil":
            return None
        if tag == "base64":
            return base64.b64decode(text, validate=False)
        if tag == "dateTime.iso8601":
            return datetime.strptime(text.replace("-", ""), "%Y%m%dT%H:%M:%S")
        if tag == "array":
            data = _child(typed, "data")
            items = list(data) if data is not None else []
            return [decode_value(v, _depth + 1) for v in items if v.tag == "value"]
        if tag == "struct":
            result: dict[str, XmlRpcValue] = {}
            for member in typed:
                name, val = _child(member, "name"), _child(member, "value")
                if member.tag != "member" or name is None or val is None:
                    raise XmlRpcError(INVALID_XMLRPC, "malformed struct member")
                result[_text(name)] = decode_value(val, _depth + 1)
            return result
    except (ValueError, binascii.Error) as exc:
        if isinstance(exc, XmlRpcError):
            raise
        raise XmlRpcError(INVALID_XMLRPC, f"bad <{tag}> value: {exc}") from exc
    raise XmlRpcError(INVALID_XMLRPC, f"unknown value type <{tag}>")


def _params(root: Element) -> tuple[XmlRpcValue, ...]:
    params = _child(root, "params")
    if params is None:
        return ()
    values = []
    for param in params:
        value = _child(param, "value") if param.tag == "param" else None
        if value is None:
            raise XmlRpcError(INVALID_XMLRPC, "a <param> without a <value>")
        values.append(decode_value(value))
    return tuple(values)


def parse_method_call(body: bytes | str) -> MethodCall:
    """A methodCall: method name and decoded params (``XmlRpcError`` if unacceptable)."""
    root = _parse(body)
    if root.tag != "methodCall":
        raise XmlRpcError(INVALID_XMLRPC, f"expected <methodCall>, got <{root.tag}>")
    name_el = _child(root, "methodName")
    name = _text(name_el).strip() if name_el is not None else ""
    if not name:
        raise XmlRpcError(INVALID_XMLRPC, "missing <methodName>")
    return MethodCall(name=name, params=_params(root))


def string_params(call: MethodCall, count: int) -> tuple[str, ...]:
    """The call's params, required to be exactly ``count`` strings."""
    if len(call.params) != count or not all(isinstance(p, str) for p in call.params):
        raise XmlRpcError(INVALID_PARAMS, f"{call.name} takes exactly {count} string parameter(s)")
    return tuple(str(p).strip() for p in call.params)


def parse_ping_call(body: bytes | str) -> tuple[str, str]:
    """``(source, target)`` of a ``pingback.ping`` call; ``XmlRpcError`` otherwise."""
    call = parse_method_call(body)
    if call.name != PING_METHOD:
        raise XmlRpcError(METHOD_NOT_FOUND, f"unknown method {call.name!r}")
    source, target = string_params(call, 2)
    return source, target


def parse_method_response(body: bytes | str) -> MethodResponse:
    """A methodResponse: its single value, or its fault."""
    root = _parse(body)
    if root.tag != "methodResponse":
        raise XmlRpcError(INVALID_XMLRPC, f"expected <methodResponse>, got <{root.tag}>")
    fault_el = _child(root, "fault")
    if fault_el is not None:
        value_el = _child(fault_el, "value")
        struct = decode_value(value_el) if value_el is not None else None
        if not isinstance(struct, dict):
            raise XmlRpcError(INVALID_XMLRPC, "a <fault> without a struct")
        code = struct.get("faultCode")
        string = struct.get("faultString")
        if isinstance(code, str) and code.strip().lstrip("-").isdigit():
            code = int(code)
        if not isinstance(code, int) or isinstance(code, bool):
            raise XmlRpcError(INVALID_XMLRPC, "a fault without an integer faultCode")
        return MethodResponse(
            value=None, fault=Fault(code, string if isinstance(string, str) else "")
        )
    params = _params(root)
    if len(params) != 1:
        raise XmlRpcError(INVALID_XMLRPC, "a methodResponse must carry exactly one value")
    return MethodResponse(value=params[0])


# ----------------------------------------------------------------------------- pingback client


class PingOutcome(enum.StrEnum):
    """What a ``pingback.ping`` answer tells the sender."""

    REGISTERED = "registered"
    ALREADY_REGISTERED = "already-registered"
    SOURCE_NOT_FOUND = "source-not-found"
    SOURCE_LACKS_LINK = "source-lacks-link"
    TARGET_NOT_FOUND = "target-not-found"
    TARGET_INVALID = "target-cannot-be-used"
    ACCESS_DENIED = "access-denied"
    UPSTREAM_ERROR = "upstream-error"
    UNKNOWN = "unknown"  # fault 0 or an unlisted code: the cause is not known
    BAD_RESPONSE = "bad-response"  # not a usable XML-RPC answer


_OUTCOMES = {
    FAULT_SOURCE_NOT_FOUND: PingOutcome.SOURCE_NOT_FOUND,
    FAULT_SOURCE_LACKS_LINK: PingOutcome.SOURCE_LACKS_LINK,
    FAULT_TARGET_NOT_FOUND: PingOutcome.TARGET_NOT_FOUND,
    FAULT_TARGET_INVALID: PingOutcome.TARGET_INVALID,
    FAULT_ALREADY_REGISTERED: PingOutcome.ALREADY_REGISTERED,
    FAULT_ACCESS_DENIED: PingOutcome.ACCESS_DENIED,
    FAULT_UPSTREAM_ERROR: PingOutcome.UPSTREAM_ERROR,
}


@dataclass(frozen=True, slots=True)
class PingResult:
    outcome: PingOutcome
    fault_code: int | None
    message: str

    @property
    def succeeded(self) -> bool:
        """Registered now or before: re-sending a ping is idempotent."""
        return self.outcome in (PingOutcome.REGISTERED, PingOutcome.ALREADY_REGISTERED)


def interpret_ping_response(body: bytes | str) -> PingResult:
    """Read a ``pingback.ping`` answer; never raises (a garbage answer is ``BAD_RESPONSE``)."""
    try:
        response = parse_method_response(body)
    except XmlRpcError as exc:
        return PingResult(PingOutcome.BAD_RESPONSE, None, exc.message)
    if response.fault is None:
        message = response.value if isinstance(response.value, str) else ""
        return PingResult(PingOutcome.REGISTERED, None, message)
    code = response.fault.code
    outcome = _OUTCOMES.get(code, PingOutcome.UNKNOWN)
    return PingResult(outcome, code, response.fault.string)


def parse_get_pingbacks_response(body: bytes | str, post_url: str) -> list[ParsedLinkback]:
    """The answer to ``getPingbacks(post_url)`` as pingback records.

    A fault (unknown post, XML-RPC disabled) or a malformed answer raises
    ``RouteUnavailable``: it says nothing about whether the post has pingbacks.
    """
    try:
        response = parse_method_response(body)
    except XmlRpcError as exc:
        raise RouteUnavailable(Route.XMLRPC, exc.message, code=str(exc.code)) from exc
    if response.fault is not None:
        raise RouteUnavailable(
            Route.XMLRPC,
            response.fault.string or FAULT_MESSAGES.get(response.fault.code, "fault"),
            code=str(response.fault.code),
        )
    if not isinstance(response.value, list):
        raise RouteUnavailable(Route.XMLRPC, "expected an array of source URLs")
    target = defrag(post_url)
    seen: set[str] = set()
    records = []
    for value in response.value:
        if not isinstance(value, str) or not value.strip() or value.strip() in seen:
            continue
        seen.add(value.strip())
        records.append(
            ParsedLinkback(
                kind=MentionKind.PINGBACK,
                source_url=value.strip(),
                route=Route.XMLRPC,
                target_url=target,
            )
        )
    return records
