"""Keys and envelopes. Only `keyring` touches the primitives."""
