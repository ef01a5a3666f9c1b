#pragma once

// Torch-free: every file the tool writes goes through these, so a crash or a full disk never leaves half a file.

#include <cstddef>
#include <functional>
#include <string>

namespace tau::core {

/** errno as a message in lower case, e.g. "no space left on device". */
std::string describeSystemError(int error);

/**
 * Writes @p path through a temporary file beside it: bytes, flush, fsync, rename over @p path, fsync of the
 * folder. A crash at any moment leaves either the old file or the new one, never a mix; an error (a full disk)
 * removes the temporary file, leaves @p path as it was and throws TauError naming @p path and the cause.
 * @p produce is handed a sink that takes bytes; failures of the sink are remembered, not thrown, so a producer
 * that cannot cope with exceptions (LibTorch's archive writer, which would terminate) finishes normally.
 */
void writeFileDurably(const std::string& path,
                      const std::function<void(const std::function<void(const void*, size_t)>& sink)>& produce);

/** writeFileDurably for text. */
void writeFileAtomically(const std::string& path, const std::string& text);

/** Appends whole lines to a file with one write(2) each (O_APPEND), so concurrent readers see whole lines. */
class LineAppender
{
public:
    explicit LineAppender(const std::string& path);
    ~LineAppender();
    LineAppender(const LineAppender&) = delete;
    LineAppender& operator=(const LineAppender&) = delete;

    /** @throws TauError naming the file and the cause (e.g. "no space left on device"). */
    void append(const std::string& line);

private:
    std::string m_path;
    int m_descriptor = -1;
};

} // namespace tau::core
