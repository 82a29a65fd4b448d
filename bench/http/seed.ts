/** The session both servers serve on GET, so their response bodies have the same size. */
export const SEED_SESSION = {
  dbConnectionId: 'db-bench',
  mode: 'analysis',
  recursionLimit: 100,
  title: 'Monthly sales analysis',
  metadata: { department: 'finance', tags: ['q3', 'revenue'] },
} as const;

/** The body the POST create benchmark sends to both servers. */
export const CREATE_BODY = JSON.stringify({ db_connection_id: 'db-bench', title: 'New analysis', metadata: { department: 'finance' } });
