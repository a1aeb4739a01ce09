//! Reading exported API data (DESIGN.md §4): JSON arrays, API pages or JSON Lines, streamed.
