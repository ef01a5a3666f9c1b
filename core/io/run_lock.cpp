#include "core/io/run_lock.h"

#include "core/common/build_info.h"
#include "core/common/duration_text.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace tau::core {

namespace {

// Linux has open-file-description locks (3.15+); elsewhere flock() has the same ownership, and a reader tests it
// by taking and dropping a shared lock, which a writer's attempt at that instant could see as busy.
#ifdef F_OFD_SETLK
bool tryLock(int descriptor)
{
    struct flock whole{};
    whole.l_type = F_WRLCK;
    whole.l_whence = SEEK_SET;
    return ::fcntl(descriptor, F_OFD_SETLK, &whole) == 0;
}

bool isLocked(int descriptor)
{
    struct flock whole{};
    whole.l_type = F_WRLCK;
    whole.l_whence = SEEK_SET;
    return ::fcntl(descriptor, F_OFD_GETLK, &whole) == 0 && whole.l_type != F_UNLCK;
}
#else
bool tryLock(int descriptor)
{
    return ::flock(descriptor, LOCK_EX | LOCK_NB) == 0;
}

bool isLocked(int descriptor)
{
    if (::flock(descriptor, LOCK_SH | LOCK_NB) != 0) {
        return true;
    }
    ::flock(descriptor, LOCK_UN);
    return false;
}
#endif

/** The holder as it wrote itself into the file; empty fields when it has not yet (or the file is not ours). */
RunWriter readWriter(int descriptor)
{
    std::string text(4096, '\0');
    const ssize_t length = ::pread(descriptor, text.data(), text.size(), 0);
    text.resize(length > 0 ? size_t(length) : 0);
    const nlohmann::json record = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    RunWriter writer;
    if (record.is_object()) {
        const auto field = [&record](const char* key) {
            const auto found = record.find(key);
            return found != record.end() && found->is_string() ? found->get<std::string>() : std::string();
        };
        const auto pid = record.find("pid");
        writer.pid = pid != record.end() && pid->is_number_integer() ? pid->get<long long>() : 0;
        writer.host = field("host");
        writer.program = field("program");
        writer.since = field("since");
    }
    return writer;
}

std::string busyMessage(const std::string& runDirectory, const RunWriter& holder)
{
    return runDirectory + " is being written by " + describeRunWriter(holder) +
           ": a run folder has one writer at a time; wait for it to finish or stop it, then resume";
}

} // namespace

std::string describeRunWriter(const RunWriter& writer)
{
    if (writer.pid <= 0) {
        return "another process";
    }
    return (writer.program.empty() ? std::string("a process") : writer.program) + " (pid " +
           std::to_string(writer.pid) + (writer.host.empty() ? "" : " on " + writer.host) +
           (writer.since.empty() ? "" : ", since " + writer.since) + ")";
}

std::string runLockPath(const std::string& runDirectory)
{
    return runDirectory + "/writer.lock";
}

RunWriterLock::RunWriterLock(const std::string& runDirectory, const std::string& program)
{
    const std::string path = runLockPath(runDirectory);
    m_descriptor = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_descriptor < 0) {
        throw TauError(path + ": cannot create the run's writer lock (" + std::strerror(errno) + ")");
    }
    if (!tryLock(m_descriptor)) {
        const RunWriter holder = readWriter(m_descriptor);
        ::close(m_descriptor);
        m_descriptor = -1;
        throw RunBusyError(busyMessage(runDirectory, holder));
    }
    const std::string record = nlohmann::json{{"pid", (long long)::getpid()},
                                              {"host", hostName()},
                                              {"program", program},
                                              {"since", utcTimeNow()}}
                                   .dump() +
                               "\n";
    // Only a description for the refused: the lock itself is the kernel's, so a failed write loses nothing.
    if (::ftruncate(m_descriptor, 0) == 0) {
        [[maybe_unused]] const ssize_t written = ::pwrite(m_descriptor, record.data(), record.size(), 0);
    }
}

RunWriterLock::~RunWriterLock()
{
    if (m_descriptor >= 0) {
        ::close(m_descriptor); // releases the lock; the file stays, naming the last writer, for nobody to trust
    }
}

std::optional<RunWriter> currentRunWriter(const std::string& runDirectory)
{
    const int descriptor = ::open(runLockPath(runDirectory).c_str(), O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) {
        return std::nullopt;
    }
    std::optional<RunWriter> writer;
    if (isLocked(descriptor)) {
        writer = readWriter(descriptor);
    }
    ::close(descriptor);
    return writer;
}

void refuseIfBeingWritten(const std::string& runDirectory)
{
    if (const std::optional<RunWriter> writer = currentRunWriter(runDirectory)) {
        throw RunBusyError(busyMessage(runDirectory, *writer));
    }
}

} // namespace tau::core
