"""MCP servers that misbehave on purpose, for kcache's failure tests (run as scripts).

``python misbehaving_mcp.py MODE``: ``exit`` dies at start with a message on stderr,
``hang`` never answers, ``garbage`` answers the handshake with junk, ``empty`` is a real MCP
server with no tools, ``changing`` is a real server whose tool list changes after a call,
``sse PORT`` serves one read tool over SSE on 127.0.0.1:PORT (this one behaves).
"""

import sys
import time


def main(mode: str) -> None:
    if mode == "exit":
        print("fatal: cannot load kubeconfig: no such file", file=sys.stderr)
        raise SystemExit(3)
    if mode == "hang":
        time.sleep(3600)
    if mode == "garbage":
        sys.stdin.readline()
        print("this is not JSON-RPC {{{", flush=True)
        time.sleep(3600)
    from mcp.server.fastmcp import Context, FastMCP

    server = FastMCP("misbehaving", host="127.0.0.1", port=int(sys.argv[2]) if mode == "sse" else 8000)
    if mode in ("changing", "sse"):

        @server.tool(annotations={"readOnlyHint": True})
        def namespaces_list() -> str:
            """List all the Kubernetes namespaces in the current cluster."""
            return "- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: default\n"

        @server.tool(annotations={"readOnlyHint": True})
        async def nodes_list(ctx: Context) -> str:
            """List all the nodes of the cluster; afterwards the server offers one more tool."""

            def events_list() -> str:
                """List all the Kubernetes events in the current cluster."""
                return "[]"

            server.add_tool(events_list, annotations={"readOnlyHint": True})
            await ctx.session.send_tool_list_changed()
            return "[]"

    server.run("sse" if mode == "sse" else "stdio")


if __name__ == "__main__":
    main(sys.argv[1])
