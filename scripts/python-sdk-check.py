"""Calls every example of every tool through the official MCP Python SDK client, over stdio and
over streamable HTTP, and lets the SDK validate each answer's structuredContent against the
tool's outputSchema (it raises on any mismatch). The examples come from the tool snapshots in
tools/. Run by scripts/python-sdk-check.sh."""

import asyncio
import glob
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def examples():
    for path in sorted(glob.glob(os.path.join(ROOT, "tools", "*.json"))):
        with open(path) as f:
            snapshot = json.load(f)
        for example in snapshot.get("examples", []):
            yield snapshot["name"], json.loads(example["args"])


async def exercise(session, transport):
    await session.initialize()
    listed = {tool.name for tool in (await session.list_tools()).tools}
    calls = 0
    for name, args in examples():
        if name not in listed:
            raise RuntimeError(f"{transport}: {name} is not listed")
        # Raises RuntimeError when structuredContent does not match the outputSchema.
        await session.call_tool(name, args)
        calls += 1
    print(f"{transport}: {calls} calls over {len(listed)} tools, every answer valid against its outputSchema")


async def main(binary, http_url):
    params = StdioServerParameters(
        command=binary, args=["stdio", "--demo", "--toolsets", "all", "--allow-writes", "--beta"],
        env={"ENTRA_MCP_LOG": "error", "PATH": os.environ.get("PATH", "")},
    )
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await exercise(session, "stdio")
    async with streamable_http_client(http_url) as streams:
        read, write = streams[0], streams[1]
        async with ClientSession(read, write) as session:
            await exercise(session, "streamable HTTP")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
