"""XML-RPC for Pingback (§8 cases 26, 27): requests, responses, faults, and refusing bombs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from xml.etree import ElementTree

import pytest

from crawler.domain import MentionKind
from crawler.linkbacks.model import Route, RouteUnavailable
from crawler.linkbacks.xmlrpc import (
    FAULT_ACCESS_DENIED,
    FAULT_ALREADY_REGISTERED,
    FAULT_GENERIC,
    FAULT_SOURCE_LACKS_LINK,
    FAULT_SOURCE_NOT_FOUND,
    FAULT_TARGET_INVALID,
    FAULT_TARGET_NOT_FOUND,
    FAULT_UPSTREAM_ERROR,
    INVALID_PARAMS,
    INVALID_XMLRPC,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    Fault,
    MethodCall,
    PingOutcome,
    XmlRpcError,
    XmlRpcValue,
    build_get_pingbacks_request,
    build_ping_request,
    interpret_ping_response,
    parse_get_pingbacks_response,
    parse_method_call,
    parse_method_response,
    parse_ping_call,
    render_fault,
    render_response,
    string_params,
)

Data = Callable[[str], bytes]
SOURCE = "https://source.example/2024/03/post?a=1&b=2"
TARGET = "https://blog.example.org/2024/03/wcit/"


def test_fault_code_constants() -> None:
    assert (FAULT_GENERIC, FAULT_SOURCE_NOT_FOUND, FAULT_SOURCE_LACKS_LINK) == (0, 16, 17)
    assert (FAULT_TARGET_NOT_FOUND, FAULT_TARGET_INVALID) == (32, 33)
    assert (FAULT_ALREADY_REGISTERED, FAULT_ACCESS_DENIED, FAULT_UPSTREAM_ERROR) == (48, 49, 50)


def test_case_26_ping_request_shape() -> None:
    body = build_ping_request(SOURCE, TARGET)
    root = ElementTree.fromstring(body)
    assert root.tag == "methodCall"
    assert root.findtext("methodName") == "pingback.ping"
    params = root.findall("params/param/value/string")
    assert [p.text for p in params] == [SOURCE, TARGET]
    assert b"a=1&amp;b=2" in body
    assert parse_ping_call(body) == (SOURCE, TARGET)


def test_get_pingbacks_request() -> None:
    call = parse_method_call(build_get_pingbacks_request(TARGET))
    assert call == MethodCall("pingback.extensions.getPingbacks", (TARGET,))


def test_parse_ping_call_golden(data: Data) -> None:
    # The second param has no type element: an XML-RPC string.
    assert parse_ping_call(data("xmlrpc_ping_call.xml")) == (SOURCE, TARGET)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"<methodCall><methodName>pingback.ping</methodName></methodCall>", INVALID_PARAMS),
        (
            b"<methodCall><methodName>pingback.ping</methodName><params>"
            b"<param><value><int>1</int></value></param>"
            b"<param><value><string>x</string></value></param></params></methodCall>",
            INVALID_PARAMS,
        ),
        (
            b"<methodCall><methodName>pingback.ping</methodName><params>"
            b"<param><value>a</value></param><param><value>b</value></param>"
            b"<param><value>c</value></param></params></methodCall>",
            INVALID_PARAMS,
        ),
        (b"<methodCall><methodName>system.multicall</methodName></methodCall>", METHOD_NOT_FOUND),
        (b"<methodCall><params/></methodCall>", INVALID_XMLRPC),
        (b"<methodResponse/>", INVALID_XMLRPC),
        (b"<methodCall><methodName>pingback.ping</methodName>", PARSE_ERROR),
        (b"", PARSE_ERROR),
        (
            b"<methodCall><methodName>m</methodName><params><param><value><bogus/></value>"
            b"</param></params></methodCall>",
            INVALID_XMLRPC,
        ),
    ],
)
def test_bad_calls_are_refused_with_a_fault_code(body: bytes, code: int) -> None:
    with pytest.raises(XmlRpcError) as info:
        parse_ping_call(body)
    assert info.value.code == code
    assert info.value.as_fault().code == code


def test_billion_laughs_is_refused_not_expanded(data: Data) -> None:
    with pytest.raises(XmlRpcError) as info:
        parse_method_call(data("xmlrpc_billion_laughs.xml"))
    assert info.value.code == PARSE_ERROR
    assert "DTD" in info.value.message


def test_external_entity_is_refused(data: Data) -> None:
    with pytest.raises(XmlRpcError, match="refused"):
        parse_ping_call(data("xmlrpc_external_entity.xml"))
    with pytest.raises(XmlRpcError, match="refused"):
        parse_method_response(data("xmlrpc_external_entity.xml"))


def test_oversized_and_deep_bodies_are_refused() -> None:
    with pytest.raises(XmlRpcError, match="larger"):
        parse_method_call(b"<methodCall>" + b" " * 1_000_001 + b"</methodCall>")
    deep = (
        b"<methodResponse><params><param>"
        + b"<value><array><data>" * 40
        + b"</data></array></value>" * 40
        + b"</param></params></methodResponse>"
    )
    with pytest.raises(XmlRpcError, match="deeply"):
        parse_method_response(deep)


def test_values_round_trip() -> None:
    value: XmlRpcValue = {
        "s": "<&> ü",
        "i": -5,
        "b": True,
        "f": 1.5,
        "n": None,
        "bytes": b"\x00\x01",
        "when": datetime(2024, 3, 1, 10, 0, 0),
        "list": ["x", ["y"]],
    }
    assert parse_method_response(render_response(value)).value == value
    with pytest.raises(ValueError, match="i4"):
        render_response(2**40)


def test_render_fault_default_and_escaped_strings() -> None:
    response = parse_method_response(render_fault(FAULT_SOURCE_LACKS_LINK))
    assert response.fault == Fault(17, "the source URI does not contain a link to the target URI")
    assert not response.ok
    odd = parse_method_response(render_fault(0, "<b>bad</b> & \x00ugly"))
    assert odd.fault == Fault(0, "<b>bad</b> & \ufffdugly")


def test_case_27_success(data: Data) -> None:
    result = interpret_ping_response(data("xmlrpc_success.xml"))
    assert result.outcome is PingOutcome.REGISTERED
    assert result.succeeded
    assert result.message.startswith("Pingback from https://source.example/p")


def test_case_27_source_lacks_link(data: Data) -> None:
    result = interpret_ping_response(data("xmlrpc_fault_17.xml"))
    assert result.outcome is PingOutcome.SOURCE_LACKS_LINK
    assert result.fault_code == 17
    assert not result.succeeded


def test_case_27_already_registered_counts_as_success(data: Data) -> None:
    result = interpret_ping_response(data("xmlrpc_fault_48.xml"))
    assert result.outcome is PingOutcome.ALREADY_REGISTERED
    assert result.succeeded


def test_case_27_wordpress_fault_zero_is_unknown(data: Data) -> None:
    result = interpret_ping_response(data("xmlrpc_fault_0.xml"))
    assert result.outcome is PingOutcome.UNKNOWN
    assert result.fault_code == 0
    assert not result.succeeded


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        (16, PingOutcome.SOURCE_NOT_FOUND),
        (32, PingOutcome.TARGET_NOT_FOUND),
        (33, PingOutcome.TARGET_INVALID),
        (49, PingOutcome.ACCESS_DENIED),
        (50, PingOutcome.UPSTREAM_ERROR),
        (12345, PingOutcome.UNKNOWN),
    ],
)
def test_other_fault_codes(code: int, outcome: PingOutcome) -> None:
    assert interpret_ping_response(render_fault(code)).outcome is outcome


@pytest.mark.parametrize(
    "body", [b"", b"<html>500</html>", b"<methodResponse><fault/></methodResponse>"]
)
def test_garbage_answer_is_a_bad_response(body: bytes) -> None:
    result = interpret_ping_response(body)
    assert result.outcome is PingOutcome.BAD_RESPONSE
    assert not result.succeeded


def test_string_fault_code_is_accepted() -> None:
    body = (
        b"<methodResponse><fault><value><struct><member><name>faultCode</name>"
        b"<value><string>48</string></value></member></struct></value></fault></methodResponse>"
    )
    assert interpret_ping_response(body).outcome is PingOutcome.ALREADY_REGISTERED


def test_string_params_checks_types() -> None:
    assert string_params(MethodCall("m", (" a ", "b")), 2) == ("a", "b")
    with pytest.raises(XmlRpcError):
        string_params(MethodCall("m", ("a", 1)), 2)


def test_get_pingbacks_route(data: Data) -> None:
    records = parse_get_pingbacks_response(data("xmlrpc_get_pingbacks_response.xml"), TARGET)
    assert [(r.kind, r.source_url, r.route, r.target_url) for r in records] == [
        (
            MentionKind.PINGBACK,
            "https://planet.example.com/2024/03/03/roundup/",
            Route.XMLRPC,
            TARGET,
        ),
        (
            MentionKind.PINGBACK,
            "http://old.example.net/archives/2024/03/wcit-notes",
            Route.XMLRPC,
            TARGET,
        ),
    ]


@pytest.mark.parametrize(
    "name", ["xmlrpc_disabled.xml", "xmlrpc_fault_0.xml", "xmlrpc_billion_laughs.xml"]
)
def test_get_pingbacks_faults_are_route_unavailable(data: Data, name: str) -> None:
    with pytest.raises(RouteUnavailable) as info:
        parse_get_pingbacks_response(data(name), TARGET)
    assert info.value.route is Route.XMLRPC


def test_get_pingbacks_wrong_shape() -> None:
    with pytest.raises(RouteUnavailable, match="array"):
        parse_get_pingbacks_response(render_response("nope"), TARGET)


def test_declared_encodings_and_str_bodies() -> None:
    text = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><methodCall><methodName>pingback.ping'
        "</methodName><params><param><value>https://a.example/caf\u00e9</value></param>"
        "<param><value>https://b.example/</value></param></params></methodCall>"
    )
    expected = ("https://a.example/caf\u00e9", "https://b.example/")
    assert parse_ping_call(text.encode("latin-1")) == expected
    assert parse_ping_call(text) == expected
