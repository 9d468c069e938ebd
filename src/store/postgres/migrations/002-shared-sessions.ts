/**
 * Sessions, agents, tasks, workflows, handoffs and shared views: the SQLite tables of
 * src/store/sqlite/*-store.ts. Ids, names and ISO times are `COLLATE "C"` text so they sort
 * byte-wise as in SQLite. Documents the product shows back (task messages, workflow spec,
 * evidence, history, saved sessions) are `json`, which keeps their key order as written;
 * lists of names the database edits in place (`allowed`, `pulled_by`) are `jsonb`. A handoff's
 * ledger stays text: its id hashes those exact bytes.
 */
export const sharedSessionsMigration = {
  version: 2,
  name: 'shared-sessions',
  sql: `
CREATE TABLE sessions (
  workspace_id text COLLATE "C" NOT NULL,
  channel_id text COLLATE "C" NOT NULL,
  revision bigint NOT NULL,
  task_text text,
  task_agent text COLLATE "C",
  task_ts text COLLATE "C",
  task_revision bigint,
  updated_at text COLLATE "C" NOT NULL,
  updated_by text COLLATE "C" NOT NULL,
  PRIMARY KEY (workspace_id, channel_id)
);
CREATE TABLE session_entries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL,
  channel_id text COLLATE "C" NOT NULL,
  revision bigint NOT NULL,
  kind text COLLATE "C" NOT NULL,
  text text NOT NULL,
  agent text COLLATE "C" NOT NULL,
  ts text COLLATE "C" NOT NULL,
  file text,
  line integer
);
CREATE INDEX session_entries_by_kind ON session_entries (workspace_id, channel_id, kind, id);
CREATE TABLE session_saves (
  workspace_id text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  channel_id text COLLATE "C" NOT NULL,
  revision bigint NOT NULL,
  saved_by text COLLATE "C" NOT NULL,
  ts text COLLATE "C" NOT NULL,
  content json NOT NULL,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX session_saves_by_ts ON session_saves (workspace_id, ts);

CREATE TABLE agents (
  workspace_id text COLLATE "C" NOT NULL,
  channel_id text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  token_id text COLLATE "C" NOT NULL,
  agent_type text,
  role text,
  status text COLLATE "C" NOT NULL,
  joined_at text COLLATE "C" NOT NULL,
  last_active text COLLATE "C" NOT NULL,
  read_cursor bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, channel_id, name)
);
CREATE INDEX agents_by_activity ON agents (status, last_active);
CREATE TABLE agent_messages (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL,
  channel_id text COLLATE "C" NOT NULL,
  sender text COLLATE "C" NOT NULL,
  recipient text COLLATE "C",
  category text COLLATE "C" NOT NULL,
  text text NOT NULL,
  ts text COLLATE "C" NOT NULL
);
CREATE INDEX agent_messages_by_channel ON agent_messages (workspace_id, channel_id, id);
CREATE TABLE agent_diaries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL,
  agent text COLLATE "C" NOT NULL,
  category text NOT NULL,
  text text NOT NULL,
  ts text COLLATE "C" NOT NULL
);
CREATE INDEX agent_diaries_by_agent ON agent_diaries (workspace_id, agent, id);

CREATE TABLE tasks (
  workspace_id text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  channel_id text COLLATE "C" NOT NULL,
  sender text COLLATE "C" NOT NULL,
  recipient text COLLATE "C",
  description text NOT NULL,
  state text COLLATE "C" NOT NULL,
  revision bigint NOT NULL,
  created_at text COLLATE "C" NOT NULL,
  updated_at text COLLATE "C" NOT NULL,
  messages json NOT NULL,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX tasks_by_channel ON tasks (workspace_id, channel_id, created_at);

CREATE TABLE workflows (
  workspace_id text COLLATE "C" NOT NULL,
  scope text COLLATE "C" NOT NULL,
  name text NOT NULL,
  state text NOT NULL,
  allowed jsonb,
  spec json NOT NULL,
  evidence json NOT NULL,
  history json NOT NULL,
  revision bigint NOT NULL,
  started_by text COLLATE "C" NOT NULL,
  started_at text COLLATE "C" NOT NULL,
  updated_at text COLLATE "C" NOT NULL,
  PRIMARY KEY (workspace_id, scope)
);

CREATE TABLE handoffs (
  workspace_id text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  channel_id text COLLATE "C" NOT NULL,
  sender text COLLATE "C" NOT NULL,
  recipient text COLLATE "C",
  created_at text COLLATE "C" NOT NULL,
  ledger text NOT NULL,
  pulled_by jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX handoffs_by_channel ON handoffs (workspace_id, channel_id, created_at);

CREATE TABLE shares (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL,
  channel_id text COLLATE "C" NOT NULL,
  sender text COLLATE "C" NOT NULL,
  recipient text COLLATE "C",
  path text COLLATE "C" NOT NULL,
  hash text NOT NULL,
  text text NOT NULL,
  tokens integer NOT NULL,
  message text,
  created_at text COLLATE "C" NOT NULL
);
CREATE INDEX shares_by_channel ON shares (workspace_id, channel_id, id);
CREATE TABLE share_pulls (
  share_id bigint NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
  agent text COLLATE "C" NOT NULL,
  PRIMARY KEY (share_id, agent)
);
`,
};
