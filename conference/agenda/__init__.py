"""The agenda: rooms, tracks, sessions and talks; conflicts; publishing; personal agendas."""
