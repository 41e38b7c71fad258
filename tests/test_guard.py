"""The test harness itself: requests can't leave the machine."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import NetworkEscape


def test_connection_off_the_machine_is_refused() -> None:
    with pytest.raises(NetworkEscape):
        socket.create_connection(("203.0.113.7", 443), timeout=1)


def test_name_lookup_off_the_machine_is_refused() -> None:
    with pytest.raises(NetworkEscape):
        socket.getaddrinfo("omics.us-east-1.amazonaws.com", 443)


def test_boto3_call_to_real_aws_is_refused() -> None:
    import boto3

    client = boto3.client("omics", region_name="us-east-1")
    with pytest.raises(Exception) as info:
        client.list_sequence_stores()
    assert "off this machine" in repr(info.value) or isinstance(info.value, NetworkEscape)
