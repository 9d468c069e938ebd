import type { Migration } from '../migrate.ts';

/**
 * Events, usage, budgets and knowledge. Ids and ISO times are `COLLATE "C"` text so they sort
 * byte-wise, as in SQLite; revisions come from `event_heads`, one counter row per channel.
 */
export const coreSchema: Migration = {
  version: 1,
  name: 'core',
  sql: `
CREATE TABLE events (
  workspace_id text COLLATE "C" NOT NULL,
  channel_id text COLLATE "C" NOT NULL,
  revision bigint NOT NULL,
  kind text NOT NULL,
  actor text COLLATE "C" NOT NULL,
  ts text COLLATE "C" NOT NULL,
  payload text NOT NULL,
  PRIMARY KEY (workspace_id, channel_id, revision)
);
CREATE INDEX events_recent ON events (workspace_id, ts DESC, revision DESC);
CREATE TABLE event_heads (
  workspace_id text COLLATE "C" NOT NULL,
  channel_id text COLLATE "C" NOT NULL,
  revision bigint NOT NULL,
  PRIMARY KEY (workspace_id, channel_id)
);

CREATE TABLE usage (
  id bigserial PRIMARY KEY,
  ts text COLLATE "C" NOT NULL,
  workspace_id text COLLATE "C" NOT NULL,
  agent_id text COLLATE "C" NOT NULL,
  context_id text COLLATE "C",
  tool text COLLATE "C" NOT NULL,
  tokens_sent bigint NOT NULL,
  tokens_saved bigint NOT NULL,
  duration_ms double precision NOT NULL,
  is_error boolean NOT NULL
);
CREATE INDEX usage_ws_ctx ON usage (workspace_id, context_id);
CREATE INDEX usage_ws_agent ON usage (workspace_id, agent_id);
CREATE INDEX usage_ts ON usage (ts);

CREATE TABLE budget_usage (
  token_id text COLLATE "C" NOT NULL,
  day text COLLATE "C" NOT NULL,
  workspace_id text COLLATE "C" NOT NULL,
  agent text COLLATE "C" NOT NULL,
  role text COLLATE "C" NOT NULL,
  tokens bigint NOT NULL,
  cost_usd double precision NOT NULL,
  calls bigint NOT NULL,
  PRIMARY KEY (token_id, day, workspace_id, agent, role)
);
CREATE INDEX budget_usage_day ON budget_usage (day);

CREATE TABLE knowledge_facts (
  id bigserial PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL,
  kind text NOT NULL,
  category text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  value text NOT NULL,
  examples text NOT NULL,
  confidence double precision NOT NULL,
  valid_from text COLLATE "C" NOT NULL,
  valid_until text COLLATE "C",
  recorded_at text COLLATE "C" NOT NULL,
  closed_at text COLLATE "C",
  removed_at text COLLATE "C",
  supersedes bigint,
  superseded_by bigint,
  source text NOT NULL,
  confirmations integer NOT NULL,
  last_confirmed text COLLATE "C" NOT NULL,
  feedback_up integer NOT NULL DEFAULT 0,
  feedback_down integer NOT NULL DEFAULT 0,
  retrievals integer NOT NULL DEFAULT 0,
  -- name terms weigh A, body terms B; NULL once the key is removed (not searchable)
  search tsvector
);
CREATE UNIQUE INDEX knowledge_latest
  ON knowledge_facts (workspace_id, category, key) WHERE superseded_by IS NULL AND removed_at IS NULL;
CREATE INDEX knowledge_versions ON knowledge_facts (workspace_id, category, key, id);
CREATE INDEX knowledge_recent ON knowledge_facts (workspace_id, id);
CREATE INDEX knowledge_removed ON knowledge_facts (workspace_id) WHERE removed_at IS NOT NULL;
CREATE INDEX knowledge_search ON knowledge_facts USING gin (search);

CREATE TABLE knowledge_relations (
  workspace_id text COLLATE "C" NOT NULL,
  from_category text COLLATE "C" NOT NULL,
  from_key text COLLATE "C" NOT NULL,
  to_category text COLLATE "C" NOT NULL,
  to_key text COLLATE "C" NOT NULL,
  kind text COLLATE "C" NOT NULL,
  source text NOT NULL,
  created_at text COLLATE "C" NOT NULL,
  last_seen text COLLATE "C" NOT NULL,
  count bigint NOT NULL,
  PRIMARY KEY (workspace_id, from_category, from_key, to_category, to_key, kind)
);
`,
};
