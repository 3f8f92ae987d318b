package hooks

// List returns the agent's keys, classified, with warnings about the
// state. It writes nothing.
func List(s *Settings) ([]Key, []string, error) {
	ss, err := openAgentSession(s, readState)
	if err != nil {
		return nil, nil, err
	}
	defer ss.close()
	keys, err := ss.inspect()
	if err == nil {
		ss.publish(keys)
	}
	return keys, ss.warnings(), err
}
