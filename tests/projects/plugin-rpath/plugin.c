int plugdep_answer(void);

int plugin_run(void) { return plugdep_answer(); }
