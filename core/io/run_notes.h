#pragma once

// Torch-free: what a researcher writes about a run (tags and a note), kept in the run folder as notes.json so it
// travels with the run.

#include <string>
#include <vector>

namespace tau::core {

struct RunNotes
{
    std::vector<std::string> tags;
    std::string note;
};

/** RUN/notes.json; empty notes when it is missing. @throws DataError naming the file when it is not notes. */
RunNotes readRunNotes(const std::string& runDirectory);

/** Writes RUN/notes.json atomically (removes it when the notes are empty). @throws TauError naming the file. */
void writeRunNotes(const std::string& runDirectory, const RunNotes& notes);

/** "a, b ,c" -> {"a", "b", "c"}: tags as typed in a cell, trimmed, empty ones and repeats dropped. */
std::vector<std::string> parseTags(const std::string& text);

} // namespace tau::core
