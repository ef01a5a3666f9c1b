#pragma once

#include "core/common/error.h"

#include <optional>
#include <string>

namespace tau::core {

/** Who writes a run folder now, as its writer.lock records it. */
struct RunWriter
{
    long long pid = 0;   ///< 0: the holder had not written its name yet
    std::string host;
    std::string program; ///< tau or tau-explorer
    std::string since;   ///< UTC, ISO 8601
};

/** "tau (pid 4242 on node1, since 2026-12-07T23:40:05Z)", or "another process" when the holder is not named yet. */
std::string describeRunWriter(const RunWriter& writer);

/** A second writer asked for a run folder that has one. */
class RunBusyError : public TauError
{
public:
    using TauError::TauError;
};

/**
 * RUN/writer.lock, held while a process trains the run: a run folder has exactly one writer at a time (tau
 * train/resume, the explorer's Train, rank 0 of a distributed job), so a resume never truncates a history that
 * another process is still appending to.
 *
 * The lock is an open-file-description lock on that file (fcntl F_OFD_SETLK): the kernel drops it when the
 * process ends in any way, SIGKILL included, so no stale lock outlives its writer; and unlike a classic POSIX
 * lock it is not lost when the same process opens and closes the file to read it. Readers never take it.
 */
class RunWriterLock
{
public:
    /**
     * Takes the lock at once or not at all, then writes this process into the file.
     * @throws RunBusyError naming the holder (describeRunWriter) when another writer has it.
     * @throws TauError when the file cannot be created (e.g. a read-only folder).
     */
    RunWriterLock(const std::string& runDirectory, const std::string& program);
    ~RunWriterLock();
    RunWriterLock(const RunWriterLock&) = delete;
    RunWriterLock& operator=(const RunWriterLock&) = delete;

private:
    int m_descriptor = -1;
};

/** @throws RunBusyError, as RunWriterLock would, when @p runDirectory has a writer now; takes nothing. */
void refuseIfBeingWritten(const std::string& runDirectory);

/** RUN/writer.lock: present once a writer that locks has opened the run. */
std::string runLockPath(const std::string& runDirectory);

/**
 * The process writing @p runDirectory right now, or none; asks the kernel without taking the lock, so a reader
 * never stands in a writer's way. A run without writer.lock (older, or written by other code) has none.
 */
std::optional<RunWriter> currentRunWriter(const std::string& runDirectory);

} // namespace tau::core
