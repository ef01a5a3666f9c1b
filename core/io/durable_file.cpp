#include "core/io/durable_file.h"

#include "core/common/error.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace tau::core {

std::string describeSystemError(int error)
{
    std::string text = std::strerror(error);
    if (!text.empty()) {
        text[0] = char(std::tolower(static_cast<unsigned char>(text[0])));
    }
    return text;
}

namespace {

void syncFolderOf(const std::string& path)
{
    const std::string folder = std::filesystem::path(path).parent_path().string();
    const int descriptor = open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY);
    if (descriptor >= 0) {
        fsync(descriptor); // the rename itself survives a power cut
        close(descriptor);
    }
}

} // namespace

void writeFileDurably(const std::string& path,
                      const std::function<void(const std::function<void(const void*, size_t)>& sink)>& produce)
{
    const std::string temporary = path + ".tmp";
    const int descriptor = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (descriptor < 0) {
        throw TauError(path + ": cannot write it: " + describeSystemError(errno));
    }
    int failure = 0;
    const auto sink = [&](const void* data, size_t size) {
        const char* bytes = static_cast<const char*>(data);
        while (failure == 0 && size > 0) {
            const ssize_t written = ::write(descriptor, bytes, size);
            if (written < 0 && errno == EINTR) {
                continue;
            }
            if (written <= 0) {
                failure = written < 0 ? errno : ENOSPC;
                break;
            }
            bytes += written;
            size -= size_t(written);
        }
    };
    try {
        produce(sink);
    } catch (...) {
        close(descriptor);
        std::remove(temporary.c_str());
        throw;
    }
    if (failure == 0 && fsync(descriptor) != 0) {
        failure = errno;
    }
    if (close(descriptor) != 0 && failure == 0) {
        failure = errno;
    }
    if (failure == 0 && std::rename(temporary.c_str(), path.c_str()) != 0) {
        failure = errno;
    }
    if (failure != 0) {
        std::remove(temporary.c_str());
        throw TauError(path + ": cannot write it: " + describeSystemError(failure) +
                       (std::filesystem::exists(path) ? "; the previous file is unchanged" : ""));
    }
    syncFolderOf(path);
}

void writeFileAtomically(const std::string& path, const std::string& text)
{
    writeFileDurably(path, [&](const auto& sink) { sink(text.data(), text.size()); });
}

LineAppender::LineAppender(const std::string& path)
    : m_path(path)
    , m_descriptor(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644))
{
    if (m_descriptor < 0) {
        throw TauError(path + ": cannot open it for writing: " + describeSystemError(errno));
    }
}

LineAppender::~LineAppender()
{
    if (m_descriptor >= 0) {
        close(m_descriptor);
    }
}

void LineAppender::append(const std::string& line)
{
    const std::string whole = line + '\n';
    const ssize_t written = ::write(m_descriptor, whole.data(), whole.size());
    if (written == ssize_t(whole.size())) {
        return;
    }
    const int error = written < 0 ? errno : ENOSPC;
    if (written > 0) {
        // Half a line would join the next one: cut it off again, so readers see only whole records.
        const off_t end = lseek(m_descriptor, 0, SEEK_END);
        if (end >= written && ftruncate(m_descriptor, end - written) != 0) {
            // The reader skips a torn last line with a warning.
        }
    }
    throw TauError(m_path + ": cannot append to it: " + describeSystemError(error));
}

} // namespace tau::core
