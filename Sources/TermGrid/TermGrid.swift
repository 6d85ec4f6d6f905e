// TermGrid module.
