// IncidentStore module.
