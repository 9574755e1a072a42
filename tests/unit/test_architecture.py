"""The package's shape: no import cycles, small modules, a folder per layer,
I/O only in transports (and the probe's own raw client)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "langchain_kimi"
MAX_LINES = 400
#: The one module allowed past MAX_LINES: it carries LangChain's integration
#: docstring template, which must stay on the class.
LONG_MODULES = {"langchain_kimi.chat_models.base"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """Every langchain_kimi module this file imports, wherever the import sits
    (top level, functions, ``if TYPE_CHECKING``)."""
    found: set[str] = set()
    package = _module_name(path).rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    [*package.split(".")[: len(package.split(".")) - node.level + 1]]
                    + ([base] if base else [])
                )
            # ``from a import b`` imports module ``a.b`` if there is one, else ``a``.
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        found.update(name for name in names if name in MODULES)
    return found


GRAPH = {name: _imports(path) - {name} for name, path in MODULES.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for name in sorted(graph):
        if name not in state and (cycle := visit(name)):
            return cycle
    return None


def test_the_import_graph_has_no_cycle() -> None:
    assert _cycle(GRAPH) is None, " -> ".join(_cycle(GRAPH) or [])


def test_a_cycle_would_be_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert _cycle(graph) == ["a", "b", "c", "a"]


def test_the_import_graph_is_read() -> None:
    assert (
        "langchain_kimi.protocols.openai" in GRAPH["langchain_kimi.transports.openai"]
    )
    assert (
        "langchain_kimi.chat_models._stream" in GRAPH["langchain_kimi.chat_models.base"]
    )


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = len(MODULES[name].read_text().splitlines())
    assert name in LONG_MODULES or lines <= MAX_LINES, f"{name}: {lines} lines"


#: Modules that may talk to the network: the transports, the probe's raw
#: client, and the simulator (a server).
DOES_IO = (
    "langchain_kimi.transports",
    "langchain_kimi.probe.http",
    "langchain_kimi.testing",
)
#: Pure layers: no HTTP client, SDK, socket, thread or event loop.
PURE = ("langchain_kimi.request", "langchain_kimi.response", "langchain_kimi.protocols")
HTTP = {"openai", "dashscope", "httpx", "httpx2", "aiohttp", "requests", "urllib3"}
IO = HTTP | {"socket", "ssl", "asyncio", "anyio", "threading", "subprocess", "http"}
#: The command line, the probe and the simulator sit on top of the client.
OUTER = ("langchain_kimi.cli", "langchain_kimi.probe", "langchain_kimi.testing")


def _top_level_imports(name: str) -> set[str]:
    tree = ast.parse(MODULES[name].read_text())
    return {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and not node.level
    }


def _in(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("name", [n for n in sorted(MODULES) if not _in(n, DOES_IO)])
def test_only_transports_import_the_sdks(name: str) -> None:
    """I/O lives in ``transports/``: nothing else touches an HTTP client or SDK."""
    assert not _top_level_imports(name) & HTTP


@pytest.mark.parametrize("name", [n for n in sorted(MODULES) if _in(n, PURE)])
def test_pure_layers_do_no_io(name: str) -> None:
    """``request/``, ``response/`` and ``protocols/`` are functions over data."""
    assert not _top_level_imports(name) & IO


@pytest.mark.parametrize(
    "name", [n for n in sorted(MODULES) if _in(n, ("langchain_kimi.transports",))]
)
def test_transports_import_nothing_above_them(name: str) -> None:
    above = ("langchain_kimi.chat_models", "langchain_kimi.cli", "langchain_kimi.probe")
    assert not {m for m in GRAPH[name] if _in(m, above)}


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in sorted(MODULES)
        if not _in(n, OUTER) and n != "langchain_kimi.__main__"
    ],
)
def test_the_core_imports_no_outer_folder(name: str) -> None:
    """The client works without its command line, probe and simulator."""
    assert not {m for m in GRAPH[name] if _in(m, OUTER)}


def test_each_layer_has_its_folder() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert folders >= {
        "chat_models",
        "request",
        "response",
        "protocols",
        "transports",
        "cli",
        "probe",
        "testing",
        "_utils",
    }
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == sorted(TOP_LEVEL_MODULES), top


#: The only modules at the package's top: public names, the entry point,
#: the version, the features table and the exceptions (plus what later
#: issues add there on purpose).
TOP_LEVEL_MODULES = {
    "__init__.py",
    "__main__.py",
    "_version.py",
    "errors.py",
    "model_specs.py",
}


#: What the simulator may take from the client: the token estimate, a neutral
#: helper, and (its pytest plugin only) ChatKimi, to hand tests a model.
SIMULATOR_MAY_IMPORT = {
    "langchain_kimi.request.tokens",
    "langchain_kimi.chat_models",
    "langchain_kimi.chat_models.base",
}


@pytest.mark.parametrize(
    "name", [n for n in sorted(MODULES) if n.startswith("langchain_kimi.testing")]
)
def test_the_simulator_imports_nothing_of_the_client(name: str) -> None:
    """Its knowledge of the service is its own: a wrong client table is then
    caught by a test instead of being mirrored."""
    outside = {m for m in GRAPH[name] if not m.startswith("langchain_kimi.testing")}
    allowed = (
        SIMULATOR_MAY_IMPORT
        if name.endswith("pytest_plugin")
        else {"langchain_kimi.request.tokens"}
    )
    assert outside <= allowed, sorted(outside - allowed)
