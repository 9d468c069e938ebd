import type { Migration } from '../migrate.ts';

/** The figures every usage roll-up holds (src/store/sqlite/usage-rollup-tables.ts). */
const FIGURES = `calls bigint NOT NULL, errors bigint NOT NULL, tokens_sent bigint NOT NULL,
  tokens_raw bigint NOT NULL, tokens_saved bigint NOT NULL, net_saved bigint NOT NULL,
  duration_ms double precision NOT NULL, last_ts text COLLATE "C" NOT NULL`;
const PATH_FIGURES = `reads bigint NOT NULL, tokens_sent bigint NOT NULL, tokens_raw bigint NOT NULL,
  last_ts text COLLATE "C" NOT NULL`;
const NET_SAVED = 'CASE WHEN tokens_raw > tokens_sent THEN tokens_raw - tokens_sent ELSE 0 END';
const SUMS = `COUNT(*), SUM(is_error::int), SUM(tokens_sent), SUM(tokens_raw), SUM(tokens_saved),
  SUM(${NET_SAVED}), SUM(duration_ms), MAX(ts)`;

/**
 * The economics side of usage (raw size and path per call; roll-ups per agent, tool, day and
 * path, kept in the transaction that inserts the calls; cost baselines; LLM feedback) and the
 * read evidence of each context — the SQLite twins' tables. The roll-ups start from the usage
 * rows version 1 already holds (they name no path, so the path tables start empty).
 */
export const economicsEvidenceMigration: Migration = {
  version: 3,
  name: 'economics-evidence',
  sql: `
ALTER TABLE usage ADD COLUMN tokens_raw bigint NOT NULL DEFAULT 0;
ALTER TABLE usage ADD COLUMN path text COLLATE "C";

CREATE TABLE usage_total (workspace_id text COLLATE "C" NOT NULL, agent_id text COLLATE "C" NOT NULL,
  tool text COLLATE "C" NOT NULL, ${FIGURES}, PRIMARY KEY (workspace_id, agent_id, tool));
CREATE TABLE usage_day (workspace_id text COLLATE "C" NOT NULL, day text COLLATE "C" NOT NULL,
  ${FIGURES}, PRIMARY KEY (day, workspace_id));
CREATE TABLE usage_day_agent (workspace_id text COLLATE "C" NOT NULL, day text COLLATE "C" NOT NULL,
  agent_id text COLLATE "C" NOT NULL, ${FIGURES}, PRIMARY KEY (day, workspace_id, agent_id));
CREATE TABLE usage_day_tool (workspace_id text COLLATE "C" NOT NULL, day text COLLATE "C" NOT NULL,
  tool text COLLATE "C" NOT NULL, ${FIGURES}, PRIMARY KEY (day, workspace_id, tool));

CREATE TABLE usage_path_total (workspace_id text COLLATE "C" NOT NULL, path text COLLATE "C" NOT NULL,
  ${PATH_FIGURES}, PRIMARY KEY (workspace_id, path));
CREATE INDEX usage_path_total_reads ON usage_path_total (reads DESC, path, workspace_id);
CREATE INDEX usage_path_total_ws_reads ON usage_path_total (workspace_id, reads DESC, path);
CREATE TABLE usage_path_daily (workspace_id text COLLATE "C" NOT NULL, day text COLLATE "C" NOT NULL,
  path text COLLATE "C" NOT NULL, ${PATH_FIGURES}, PRIMARY KEY (day, workspace_id, path));
CREATE TABLE usage_dir_total (workspace_id text COLLATE "C" NOT NULL, path text COLLATE "C" NOT NULL,
  ${PATH_FIGURES}, PRIMARY KEY (workspace_id, path));
CREATE INDEX usage_dir_total_reads ON usage_dir_total (reads DESC, path, workspace_id);
CREATE INDEX usage_dir_total_ws_reads ON usage_dir_total (workspace_id, reads DESC, path);
CREATE TABLE usage_dir_daily (workspace_id text COLLATE "C" NOT NULL, day text COLLATE "C" NOT NULL,
  path text COLLATE "C" NOT NULL, ${PATH_FIGURES}, PRIMARY KEY (day, workspace_id, path));

CREATE TABLE usage_cost_baseline (workspace_id text COLLATE "C" NOT NULL, agent_id text COLLATE "C" NOT NULL,
  tool text COLLATE "C" NOT NULL, ${FIGURES}, reset_at text COLLATE "C" NOT NULL,
  reset_by text COLLATE "C" NOT NULL, PRIMARY KEY (workspace_id, agent_id, tool));

CREATE TABLE llm_feedback (
  id bigserial PRIMARY KEY,
  ts text COLLATE "C" NOT NULL,
  workspace_id text COLLATE "C" NOT NULL,
  agent_id text COLLATE "C" NOT NULL,
  context_id text COLLATE "C",
  model text COLLATE "C",
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  latency_ms double precision,
  intent text COLLATE "C",
  note text
);
CREATE INDEX llm_feedback_ws_ts ON llm_feedback (workspace_id, ts);

INSERT INTO usage_total SELECT workspace_id, agent_id, tool, ${SUMS} FROM usage GROUP BY 1, 2, 3;
INSERT INTO usage_day SELECT workspace_id, substr(ts, 1, 10), ${SUMS} FROM usage GROUP BY 1, 2;
INSERT INTO usage_day_agent SELECT workspace_id, substr(ts, 1, 10), agent_id, ${SUMS} FROM usage GROUP BY 1, 2, 3;
INSERT INTO usage_day_tool SELECT workspace_id, substr(ts, 1, 10), tool, ${SUMS} FROM usage GROUP BY 1, 2, 3;

CREATE TABLE read_evidence (
  workspace_id text COLLATE "C" NOT NULL,
  context_id text COLLATE "C" NOT NULL,
  agent_id text COLLATE "C" NOT NULL,
  path text COLLATE "C" NOT NULL,
  sha256 text COLLATE "C" NOT NULL,
  bytes bigint NOT NULL,
  reads bigint NOT NULL,
  first_ts text COLLATE "C" NOT NULL,
  last_ts text COLLATE "C" NOT NULL,
  -- the tools that read it, in the order they first did
  tools jsonb NOT NULL,
  PRIMARY KEY (workspace_id, context_id, agent_id, path, sha256)
);
CREATE INDEX read_evidence_recent ON read_evidence (workspace_id, context_id, agent_id, last_ts);
`,
};
