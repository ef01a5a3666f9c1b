#include "tests/support/test_support.h"

#include <QFile>
#include <QProcess>

namespace tau::test {

QString sourceDir()
{
    return QStringLiteral(TAU_SOURCE_DIR);
}

QString dataPath(const QString& relative)
{
    return sourceDir() + QStringLiteral("/tests/data/") + relative;
}

QString referencePython()
{
    // Debian's Python with torch 1.13 and scikit-learn; TAU_REFERENCE_PYTHON names another (the GPU machine's).
    return qEnvironmentVariable("TAU_REFERENCE_PYTHON", QStringLiteral("/usr/bin/python3"));
}

QString libtorchPython()
{
    return QStringLiteral(TAU_LIBTORCH_PYTHON);
}

ProcessResult runProcess(const QString& program, const QStringList& arguments, int timeoutMs)
{
    QProcess process;
    process.start(program, arguments);
    ProcessResult result;
    result.finished = process.waitForFinished(timeoutMs);
    if (!result.finished) {
        process.kill();
        process.waitForFinished();
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.standardOutput = process.readAllStandardOutput();
    result.standardError = process.readAllStandardError();
    return result;
}

ProcessResult runReferenceScript(const QString& script, const QStringList& arguments, int timeoutMs)
{
    return runProcess(referencePython(),
                      QStringList{sourceDir() + QStringLiteral("/tests/reference/") + script} + arguments, timeoutMs);
}

QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString& path, const QByteArray& contents)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(contents) == contents.size();
}

} // namespace tau::test
