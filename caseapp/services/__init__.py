"""Use cases. Each public function owns its transaction and writes the timeline and
audit events together with the change it makes."""
