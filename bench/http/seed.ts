/** The session both servers serve on GET (as a create body), so their response bodies have the same size. */
export const SEED_SESSION_BODY = {
  db_connection_id: 'db-bench',
  mode: 'analysis',
  recursion_limit: 100,
  title: 'Monthly sales analysis',
  metadata: { department: 'finance', tags: ['q3', 'revenue'] },
};

/** The body the POST create benchmark sends to both servers. */
export const CREATE_BODY = JSON.stringify({ db_connection_id: 'db-bench', title: 'New analysis', metadata: { department: 'finance' } });
