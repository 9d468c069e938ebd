/** How lazy-mcp shows downstream tools: meta-tools, every tool, or chosen by tool count. */
export const MODES = ['lazy', 'direct', 'auto'] as const;
export type GatewayMode = (typeof MODES)[number];
