int plugdep_answer(void) { return 42; }
