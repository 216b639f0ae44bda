"""Every SQL statement kcache runs, and the append-only schema migrations.

The spec's tables (``clusters``, ``namespaces``, ``nodes``, ``pods``, ``services``,
``mcp_tools``, ``tool_usage_stats``, ``cache_metadata``) keep their names and columns: users
query the file with SQL. Columns were only added. The other kinds live in one generic,
indexed ``resources`` table; labels of every kind are indexed in ``resource_labels``.
Never edit a shipped migration: append a new one.
"""

from __future__ import annotations

# Each entry is applied once, in order, inside a transaction with its version row.
MIGRATIONS: tuple[str, ...] = (
    # 1: the spec's schema (section 3.1), plus what the tiers, the audit and the KPIs need.
    """
    CREATE TABLE clusters (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE NOT NULL,
        version TEXT NOT NULL, api_server TEXT NOT NULL, node_count INTEGER NOT NULL,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        ttl_expires_at TIMESTAMP NOT NULL,
        context TEXT, user_name TEXT);
    CREATE TABLE namespaces (id INTEGER PRIMARY KEY AUTOINCREMENT, cluster_name TEXT NOT NULL,
        name TEXT NOT NULL, status TEXT NOT NULL, labels TEXT, annotations TEXT,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        ttl_expires_at TIMESTAMP NOT NULL,
        resource_created_at TEXT, owner_kind TEXT, owner_name TEXT, data TEXT,
        UNIQUE(cluster_name, name));
    CREATE TABLE nodes (id INTEGER PRIMARY KEY AUTOINCREMENT, cluster_name TEXT NOT NULL,
        name TEXT NOT NULL, status TEXT NOT NULL, roles TEXT, capacity TEXT, allocatable TEXT,
        labels TEXT, taints TEXT,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        ttl_expires_at TIMESTAMP NOT NULL,
        annotations TEXT, resource_created_at TEXT, owner_kind TEXT, owner_name TEXT, data TEXT,
        UNIQUE(cluster_name, name));
    CREATE TABLE pods (id INTEGER PRIMARY KEY AUTOINCREMENT, cluster_name TEXT NOT NULL,
        namespace TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, phase TEXT NOT NULL,
        node_name TEXT, labels TEXT, containers TEXT,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        ttl_expires_at TIMESTAMP NOT NULL,
        annotations TEXT, resource_created_at TEXT, owner_kind TEXT, owner_name TEXT, data TEXT,
        restarts INTEGER, pod_ip TEXT,
        UNIQUE(cluster_name, namespace, name));
    CREATE TABLE services (id INTEGER PRIMARY KEY AUTOINCREMENT, cluster_name TEXT NOT NULL,
        namespace TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, cluster_ip TEXT,
        external_ip TEXT, ports TEXT, selector TEXT,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        ttl_expires_at TIMESTAMP NOT NULL,
        labels TEXT, annotations TEXT, resource_created_at TEXT, owner_kind TEXT, owner_name TEXT,
        data TEXT,
        UNIQUE(cluster_name, namespace, name));
    CREATE TABLE mcp_tools (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE NOT NULL,
        description TEXT, input_schema TEXT, output_schema TEXT, resource_types TEXT,
        operation_types TEXT, required_params TEXT, optional_params TEXT,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        server TEXT, scope TEXT, param_map TEXT, fixed_args TEXT, output_format TEXT,
        cache_friendly INTEGER, read_only INTEGER, writes INTEGER, destructive INTEGER,
        all_namespaces_param TEXT);
    CREATE TABLE tool_usage_stats (id INTEGER PRIMARY KEY AUTOINCREMENT, tool_name TEXT NOT NULL,
        usage_count INTEGER DEFAULT 0, success_count INTEGER DEFAULT 0, error_count INTEGER DEFAULT 0,
        avg_response_time REAL DEFAULT 0.0, last_used_at TIMESTAMP,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
    CREATE UNIQUE INDEX ux_tool_usage_stats_tool_name ON tool_usage_stats(tool_name);
    CREATE TABLE cache_metadata (id INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL,
        cluster_name TEXT NOT NULL, last_scan_at TIMESTAMP, next_scan_at TIMESTAMP,
        scan_status TEXT DEFAULT 'pending', error_message TEXT, record_count INTEGER DEFAULT 0,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        tier TEXT, expires_at TIMESTAMP, last_success_at TIMESTAMP,
        UNIQUE(table_name, cluster_name));

    CREATE TABLE resources (id INTEGER PRIMARY KEY AUTOINCREMENT, cluster_name TEXT NOT NULL,
        kind TEXT NOT NULL, namespace TEXT NOT NULL DEFAULT '', name TEXT NOT NULL,
        labels TEXT, annotations TEXT, resource_created_at TEXT, owner_kind TEXT, owner_name TEXT,
        data TEXT,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        ttl_expires_at TIMESTAMP NOT NULL,
        UNIQUE(cluster_name, kind, namespace, name));
    CREATE TABLE resource_labels (cluster_name TEXT NOT NULL, kind TEXT NOT NULL,
        namespace TEXT NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL);
    CREATE TABLE scan_history (id INTEGER PRIMARY KEY AUTOINCREMENT, cluster_name TEXT NOT NULL,
        table_name TEXT NOT NULL, tier TEXT NOT NULL, started_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP, status TEXT NOT NULL, error_message TEXT, record_count INTEGER);
    CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at TIMESTAMP NOT NULL,
        cluster_name TEXT, identity TEXT, tool TEXT NOT NULL, arguments TEXT, writes INTEGER,
        approved_by TEXT, approved_at TIMESTAMP, status TEXT NOT NULL, error_message TEXT,
        duration_ms REAL, origin TEXT);
    CREATE TABLE agent_turns (id INTEGER PRIMARY KEY AUTOINCREMENT, at TIMESTAMP NOT NULL,
        thread_id TEXT, cluster_name TEXT, intent TEXT, resource TEXT, operation TEXT, tool TEXT,
        outcome TEXT, answered_from_cache INTEGER, executed INTEGER, cache_lookups INTEGER,
        cache_hits INTEGER, prompt_tokens INTEGER, duration_ms REAL, non_llm_ms REAL,
        read_ms REAL, params_suggested INTEGER, params_accepted INTEGER, provider TEXT);
    CREATE TABLE eval_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, at TIMESTAMP NOT NULL,
        dataset TEXT NOT NULL, cluster TEXT, provider TEXT, metrics TEXT NOT NULL);

    CREATE INDEX ix_namespaces_name ON namespaces(name);
    CREATE INDEX ix_nodes_name ON nodes(name);
    CREATE INDEX ix_pods_name ON pods(cluster_name, name);
    CREATE INDEX ix_pods_owner ON pods(cluster_name, owner_name);
    CREATE INDEX ix_pods_node ON pods(cluster_name, node_name);
    CREATE INDEX ix_services_name ON services(cluster_name, name);
    CREATE INDEX ix_resources_name ON resources(cluster_name, kind, name);
    CREATE INDEX ix_resources_owner ON resources(cluster_name, kind, owner_name);
    CREATE INDEX ix_resource_labels_kv ON resource_labels(cluster_name, kind, key, value);
    CREATE INDEX ix_resource_labels_obj ON resource_labels(cluster_name, kind, namespace, name);
    CREATE INDEX ix_scan_history_table ON scan_history(cluster_name, table_name, started_at);
    CREATE INDEX ix_audit_log_at ON audit_log(at);
    """,
    # 2: labels in one clustered B-tree keyed for lookups by (key, value): a 100k-pod tier
    # replacement maintained a rowid table and two indexes for 300k label rows.
    """
    CREATE TABLE resource_labels_v2 (cluster_name TEXT NOT NULL, kind TEXT NOT NULL,
        namespace TEXT NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (cluster_name, kind, key, value, namespace, name)) WITHOUT ROWID;
    INSERT OR IGNORE INTO resource_labels_v2 (cluster_name, kind, namespace, name, key, value)
        SELECT cluster_name, kind, namespace, name, key, value FROM resource_labels;
    DROP TABLE resource_labels;
    ALTER TABLE resource_labels_v2 RENAME TO resource_labels;
    """,
    # 3: who each cluster partition is, so that another cluster behind the same context name
    # is refused instead of being answered with the first one's rows.
    """
    CREATE TABLE cluster_identity (cluster_name TEXT PRIMARY KEY, api_server TEXT NOT NULL,
        kube_system_uid TEXT, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL);
    """,
    # 4: who asked. An audit row names the asker (its name, Kubernetes user and groups) and
    # what was asked of the cluster (verb, kind, namespace, name); a turn names its asker.
    """
    ALTER TABLE audit_log ADD COLUMN asker TEXT;
    ALTER TABLE audit_log ADD COLUMN asker_user TEXT;
    ALTER TABLE audit_log ADD COLUMN asker_groups TEXT;
    ALTER TABLE audit_log ADD COLUMN verb TEXT;
    ALTER TABLE audit_log ADD COLUMN kind TEXT;
    ALTER TABLE audit_log ADD COLUMN namespace TEXT;
    ALTER TABLE audit_log ADD COLUMN name TEXT;
    CREATE INDEX ix_audit_log_asker ON audit_log(asker, at);
    ALTER TABLE agent_turns ADD COLUMN asker TEXT;
    ALTER TABLE agent_turns ADD COLUMN asker_user TEXT;
    ALTER TABLE agent_turns ADD COLUMN asker_groups TEXT;
    """,
)

CREATE_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,
    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)
"""
SELECT_VERSION = "SELECT COALESCE(MAX(version), 0) FROM schema_version"
INSERT_VERSION = "INSERT INTO schema_version (version) VALUES (?)"

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    # 64 MiB of page cache: bulk tier replacement of large clusters thrashes the 2 MiB default.
    "PRAGMA cache_size=-65536",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)
# The read-only connections: a smaller page cache each (they read what the writer cached).
READ_PRAGMAS = ("PRAGMA cache_size=-16384",)
# Changes after any commit by another connection (this process's writer included).
DATA_VERSION = "PRAGMA data_version"
BUSY_TIMEOUT = "PRAGMA busy_timeout={ms:d}"
INTEGRITY_CHECK = "PRAGMA integrity_check"
# SQLCipher (CACHE_DB_KEY): the key pragma takes no bound value, so the key is quoted as a
# string literal (cipher.quote). Its own log would print decryption failures to stderr.
CIPHER_LOG_OFF = "PRAGMA cipher_log_level = NONE"
CIPHER_KEY = "PRAGMA key = {literal}"
CIPHER_VERSION = "PRAGMA cipher_version"
# The first read of a connection: a wrong key or a foreign file fails here, not mid-query.
PROBE = "SELECT count(*) FROM sqlite_master"
LIST_TABLES = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
COUNT_ROWS = 'SELECT COUNT(*) FROM "{table}"'

# --- The per-kind tables -------------------------------------------------------------------
# The four kinds with a spec table: their extra columns (beyond the common ones), in order.
SPEC_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "namespace": ("namespaces", ("status",)),
    "node": ("nodes", ("status", "roles", "capacity", "allocatable", "taints")),
    "pod": ("pods", ("status", "phase", "node_name", "containers", "restarts", "pod_ip")),
    "service": ("services", ("type", "cluster_ip", "external_ip", "ports", "selector")),
}
COMMON_COLUMNS = (
    "cluster_name",
    "name",
    "labels",
    "annotations",
    "resource_created_at",
    "owner_kind",
    "owner_name",
    "data",
    "updated_at",
    "ttl_expires_at",
)
GENERIC_COLUMNS = ("kind", "namespace", *COMMON_COLUMNS)


def table_for(kind: str) -> str:
    """The SQL table holding a canonical kind."""
    spec = SPEC_TABLES.get(kind)
    return spec[0] if spec else "resources"


def _namespaced_spec(kind: str) -> bool:
    return kind in ("pod", "service")


def insert_columns(kind: str) -> tuple[str, ...]:
    """Columns an insert of this kind fills, in the order the store supplies values."""
    spec = SPEC_TABLES.get(kind)
    if spec is None:
        return GENERIC_COLUMNS
    ns = ("namespace",) if _namespaced_spec(kind) else ()
    return (*ns, *COMMON_COLUMNS, *spec[1])


def insert_sql(kind: str) -> str:
    """INSERT statement for one row of a kind."""
    cols = insert_columns(kind)
    marks = ", ".join("?" for _ in cols)
    return f"INSERT INTO {table_for(kind)} ({', '.join(cols)}) VALUES ({marks})"


def delete_scope_sql(kind: str, *, namespace: bool) -> str:
    """DELETE of every row of (cluster, kind[, namespace]); binds cluster[, kind][, namespace]."""
    where = "cluster_name = ?"
    if kind not in SPEC_TABLES:
        where += " AND kind = ?"
    if namespace:
        where += " AND namespace = ?"
    return f"DELETE FROM {table_for(kind)} WHERE {where}"


def expire_scope_sql(kind: str, *, namespace: bool) -> str:
    """UPDATE setting ttl_expires_at (first bind) for (cluster, kind[, namespace])."""
    return delete_scope_sql(kind, namespace=namespace).replace(
        f"DELETE FROM {table_for(kind)}", f"UPDATE {table_for(kind)} SET ttl_expires_at = ?", 1
    )


def count_by_namespace_sql(kind: str) -> str:
    """(namespace, rows) of one kind in one cluster; binds cluster[, kind]."""
    ns_col = "namespace" if (kind not in SPEC_TABLES or _namespaced_spec(kind)) else "''"
    where = "cluster_name = ?" + ("" if kind in SPEC_TABLES else " AND kind = ?")
    return f"SELECT {ns_col}, COUNT(*) FROM {table_for(kind)} WHERE {where} GROUP BY 1"


DELETE_LABELS_SCOPE = "DELETE FROM resource_labels WHERE cluster_name = ? AND kind = ?"
DELETE_LABELS_SCOPE_NS = "DELETE FROM resource_labels WHERE cluster_name = ? AND kind = ? AND namespace = ?"
INSERT_LABEL = (
    "INSERT INTO resource_labels (cluster_name, kind, namespace, name, key, value) VALUES (?, ?, ?, ?, ?, ?)"
)
DELETE_ONE_LABELS = (
    "DELETE FROM resource_labels WHERE cluster_name = ? AND kind = ? AND namespace = ? AND name = ?"
)


def select_sql(
    kind: str,
    *,
    namespace: bool = False,
    name: bool = False,
    prefix: bool = False,
    owners: int = 0,
    label_reqs: int = 0,
    limit: bool = False,
) -> str:
    """SELECT of a kind's rows filtered by the given criteria (all bound with ``?``).

    Bind order: cluster, [kind], [namespace], [name | prefix lo, prefix hi], [owners...],
    then two values (key, value) per label requirement, then [limit].
    """
    table = table_for(kind)
    ns_col = "namespace" if (kind not in SPEC_TABLES or _namespaced_spec(kind)) else "''"
    cols = (
        f"{ns_col} AS namespace, name, labels, annotations, resource_created_at, owner_kind, owner_name, "
        "data, ttl_expires_at, updated_at"
    )
    where = ["cluster_name = ?"]
    if kind not in SPEC_TABLES:
        where.append("kind = ?")
    if namespace:
        where.append(f"{ns_col} = ?")
    if name:
        where.append("name = ?")
    elif prefix:
        where.append("name >= ? AND name < ?")
    if owners:
        where.append(f"owner_name IN ({', '.join('?' for _ in range(owners))})")
    if label_reqs:
        # Driven from the label index: one indexed probe per requirement, intersected.
        probe = (
            "SELECT l.namespace, l.name FROM resource_labels l WHERE l.cluster_name = ? AND l.kind = ? "
            "AND l.key = ? AND l.value = ?"
        )
        pair = "namespace" if ns_col == "namespace" else "''"
        where.append(f"({pair}, name) IN ({' INTERSECT '.join([probe] * label_reqs)})")
    sql = f"SELECT {cols} FROM {table} t WHERE {' AND '.join(where)} ORDER BY namespace, name"
    if limit:
        sql += " LIMIT ?"
    return sql


# --- cache_metadata and scan history -------------------------------------------------------
SELECT_METADATA = (
    "SELECT table_name, cluster_name, last_scan_at, next_scan_at, scan_status, error_message, "
    "record_count, tier, expires_at, last_success_at FROM cache_metadata WHERE cluster_name = ? "
    "AND table_name = ?"
)
SELECT_ALL_METADATA = (
    "SELECT table_name, cluster_name, last_scan_at, next_scan_at, scan_status, error_message, "
    "record_count, tier, expires_at, last_success_at FROM cache_metadata WHERE cluster_name = ? "
    "ORDER BY table_name"
)
UPSERT_METADATA_STATUS = """
INSERT INTO cache_metadata (table_name, cluster_name, scan_status, error_message, tier, next_scan_at,
    last_scan_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(table_name, cluster_name) DO UPDATE SET scan_status = excluded.scan_status,
    error_message = excluded.error_message, tier = excluded.tier,
    next_scan_at = COALESCE(excluded.next_scan_at, cache_metadata.next_scan_at),
    last_scan_at = COALESCE(excluded.last_scan_at, cache_metadata.last_scan_at),
    updated_at = excluded.updated_at
"""
UPSERT_METADATA_DONE = """
INSERT INTO cache_metadata (table_name, cluster_name, last_scan_at, next_scan_at, scan_status,
    error_message, record_count, tier, expires_at, last_success_at, updated_at)
VALUES (?, ?, ?, ?, 'completed', NULL, ?, ?, ?, ?, ?)
ON CONFLICT(table_name, cluster_name) DO UPDATE SET last_scan_at = excluded.last_scan_at,
    next_scan_at = excluded.next_scan_at, scan_status = 'completed', error_message = NULL,
    record_count = excluded.record_count, tier = excluded.tier, expires_at = excluded.expires_at,
    last_success_at = excluded.last_success_at, updated_at = excluded.updated_at
"""
EXPIRE_METADATA = (
    "UPDATE cache_metadata SET expires_at = ?, updated_at = ? WHERE cluster_name = ? "
    "AND (table_name = ? OR table_name LIKE ?)"
)
INSERT_SCAN = (
    "INSERT INTO scan_history (cluster_name, table_name, tier, started_at, status) "
    "VALUES (?, ?, ?, ?, 'running')"
)
FINISH_SCAN = (
    "UPDATE scan_history SET finished_at = ?, status = ?, error_message = ?, record_count = ? WHERE id = ?"
)
SELECT_SCANS = (
    "SELECT table_name, tier, started_at, finished_at, status, error_message, record_count "
    "FROM scan_history WHERE cluster_name = ? ORDER BY id DESC LIMIT ?"
)
SCAN_COUNTS = "SELECT status, COUNT(*) FROM scan_history GROUP BY status"
SCAN_COUNTS_OF_CLUSTER = "SELECT status, COUNT(*) FROM scan_history WHERE cluster_name = ? GROUP BY status"
# --- clusters ------------------------------------------------------------------------------
UPSERT_CLUSTER = """
INSERT INTO clusters (name, version, api_server, node_count, ttl_expires_at, context, user_name, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(name) DO UPDATE SET version = excluded.version, api_server = excluded.api_server,
    node_count = excluded.node_count, ttl_expires_at = excluded.ttl_expires_at,
    context = excluded.context, user_name = excluded.user_name, updated_at = excluded.updated_at
"""
SELECT_CLUSTER = (
    "SELECT name, version, api_server, node_count, ttl_expires_at, context, user_name, updated_at "
    "FROM clusters WHERE name = ?"
)
SELECT_IDENTITY = "SELECT api_server, kube_system_uid FROM cluster_identity WHERE cluster_name = ?"
INSERT_IDENTITY = (
    "INSERT INTO cluster_identity (cluster_name, api_server, kube_system_uid, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?)"
)
SET_IDENTITY_UID = "UPDATE cluster_identity SET kube_system_uid = ?, updated_at = ? WHERE cluster_name = ?"
SELECT_CLUSTERS = "SELECT name FROM clusters ORDER BY updated_at DESC"
EXPIRE_CLUSTER = "UPDATE clusters SET ttl_expires_at = ? WHERE name = ?"

# --- mcp_tools -----------------------------------------------------------------------------
TOOL_COLUMNS = (
    "name",
    "description",
    "input_schema",
    "output_schema",
    "resource_types",
    "operation_types",
    "required_params",
    "optional_params",
    "server",
    "scope",
    "param_map",
    "fixed_args",
    "output_format",
    "cache_friendly",
    "read_only",
    "writes",
    "destructive",
    "all_namespaces_param",
    "updated_at",
)
DELETE_TOOLS = "DELETE FROM mcp_tools"
INSERT_TOOL = (
    f"INSERT INTO mcp_tools ({', '.join(TOOL_COLUMNS)}) VALUES ({', '.join('?' for _ in TOOL_COLUMNS)})"
)
SELECT_TOOLS = f"SELECT {', '.join(TOOL_COLUMNS)} FROM mcp_tools ORDER BY name"

# --- usage, audit, turns, evals ------------------------------------------------------------
UPSERT_TOOL_USAGE = """
INSERT INTO tool_usage_stats (tool_name, usage_count, success_count, error_count, avg_response_time,
    last_used_at, updated_at)
VALUES (?, 1, ?, ?, ?, ?, ?)
ON CONFLICT(tool_name) DO UPDATE SET usage_count = usage_count + 1,
    success_count = success_count + excluded.success_count,
    error_count = error_count + excluded.error_count,
    avg_response_time = (avg_response_time * usage_count + excluded.avg_response_time) / (usage_count + 1),
    last_used_at = excluded.last_used_at, updated_at = excluded.updated_at
"""
SELECT_TOOL_USAGE = (
    "SELECT tool_name, usage_count, success_count, error_count, avg_response_time, last_used_at "
    "FROM tool_usage_stats ORDER BY usage_count DESC, tool_name"
)
AUDIT_COLUMNS = (
    "at",
    "cluster_name",
    "identity",
    "tool",
    "arguments",
    "writes",
    "approved_by",
    "approved_at",
    "status",
    "error_message",
    "duration_ms",
    "origin",
    "asker",
    "asker_user",
    "asker_groups",
    "verb",
    "kind",
    "namespace",
    "name",
)
INSERT_AUDIT = (
    f"INSERT INTO audit_log ({', '.join(AUDIT_COLUMNS)}) VALUES ({', '.join('?' for _ in AUDIT_COLUMNS)})"
)


def select_audit_sql(*, asker: bool = False, cluster: bool = False) -> str:
    """The latest audit rows, newest first; binds [asker], [cluster], then the limit."""
    where = [c for c, on in (("asker = ?", asker), ("cluster_name = ?", cluster)) if on]
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log{clause} ORDER BY id DESC LIMIT ?"


INSERT_TURN = """
INSERT INTO agent_turns (at, thread_id, cluster_name, intent, resource, operation, tool, outcome,
    answered_from_cache, executed, cache_lookups, cache_hits, prompt_tokens, duration_ms, non_llm_ms,
    read_ms, params_suggested, params_accepted, provider, asker, asker_user, asker_groups)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def turn_filter(*, cluster: bool = False, asker: bool = False) -> str:
    """The WHERE clause of the KPI queries: binds [cluster], then [asker]."""
    where = [c for c, on in (("cluster_name = ?", cluster), ("asker = ?", asker)) if on]
    return f"WHERE {' AND '.join(where)}" if where else ""


def turn_totals_sql(*, cluster: bool = False, asker: bool = False) -> str:
    """Turn count, lookups, hits, prompt tokens and parameters over the selected turns."""
    return f"""
SELECT COUNT(*), COALESCE(SUM(cache_lookups), 0), COALESCE(SUM(cache_hits), 0),
    AVG(prompt_tokens), COALESCE(SUM(params_suggested), 0), COALESCE(SUM(params_accepted), 0)
FROM agent_turns {turn_filter(cluster=cluster, asker=asker)}
"""


TURN_TOTALS = turn_totals_sql()


def read_times_sql(*, cluster: bool = False, asker: bool = False) -> str:
    """Whole read turns that answered, per kind, operation and path (cache or MCP).

    Every node, the LLM's own time taken out: the response-time KPI compares the two paths
    of one (kind, operation).
    """
    selected = turn_filter(cluster=cluster, asker=asker).replace("WHERE ", "AND ")
    return f"""
SELECT resource, operation, answered_from_cache, AVG(non_llm_ms), COUNT(*) FROM agent_turns
WHERE non_llm_ms IS NOT NULL AND intent != 'action' AND outcome = 'answer' AND resource IS NOT NULL
    {selected}
GROUP BY resource, operation, answered_from_cache
"""


READ_TIMES = read_times_sql()
TURN_CLUSTERS = "SELECT DISTINCT cluster_name FROM agent_turns WHERE cluster_name IS NOT NULL ORDER BY 1"
INSERT_EVAL_RUN = "INSERT INTO eval_runs (at, dataset, cluster, provider, metrics) VALUES (?, ?, ?, ?, ?)"
LAST_EVAL_RUN = "SELECT at, dataset, cluster, provider, metrics FROM eval_runs ORDER BY id DESC LIMIT 1"
