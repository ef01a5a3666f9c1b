#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <exception>

namespace tau::test {

/** The repository root (tests read configs/ and tests/data/ from it). */
QString sourceDir();

/** A file under tests/data/. */
QString dataPath(const QString& relative);

/** Debian's Python, which has torch and scikit-learn (another python3 may come first on PATH). */
QString referencePython();

/**
 * The Python whose torch is the LibTorch under test (the virtual environment of PyPI's torch that ./tau builds on), or
 * empty where the LibTorch has none (Debian's, a pytorch.org zip).
 */
QString libtorchPython();

/** Result of running a helper program. */
struct ProcessResult
{
    int exitCode = -1;
    QByteArray standardOutput;
    QByteArray standardError;
    bool finished = false;
};

/** Runs @p program with @p arguments and waits up to @p timeoutMs. */
ProcessResult runProcess(const QString& program, const QStringList& arguments, int timeoutMs = 120000);

/** Runs a script of tests/reference with Debian's python3. */
ProcessResult runReferenceScript(const QString& script, const QStringList& arguments, int timeoutMs = 120000);

/** Reads a whole file (empty when missing). */
QByteArray readFile(const QString& path);

/** Writes a whole file; false on failure. */
bool writeFile(const QString& path, const QByteArray& contents);

/** What @p function throws, as its message; empty when it returns. */
template <typename Function>
QString errorOf(Function&& function)
{
    try {
        function();
    } catch (const std::exception& error) {
        return QString::fromUtf8(error.what());
    }
    return QString();
}

} // namespace tau::test
