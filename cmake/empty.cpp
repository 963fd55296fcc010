// Keeps a room's static library non-empty while the room has no sources yet.
