#include "core/common/error.h"
#include "core/data/idx_reader.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <numeric>
#include <zlib.h>

using namespace tau::core;

namespace {

/** A valid IDX file of unsigned bytes: magic, big-endian dims, then the data 0, 1, 2, ... mod 256. */
std::vector<uint8_t> makeIdx(const std::vector<uint32_t>& shape)
{
    std::vector<uint8_t> bytes = {0, 0, 0x08, uint8_t(shape.size())};
    size_t elements = 1;
    for (const uint32_t extent : shape) {
        bytes.push_back(uint8_t(extent >> 24));
        bytes.push_back(uint8_t(extent >> 16));
        bytes.push_back(uint8_t(extent >> 8));
        bytes.push_back(uint8_t(extent));
        elements *= extent;
    }
    for (size_t i = 0; i < elements; ++i) {
        bytes.push_back(uint8_t(i % 256));
    }
    return bytes;
}

void writeGzip(const QString& path, const std::vector<uint8_t>& bytes)
{
    gzFile file = gzopen(path.toLocal8Bit().constData(), "wb");
    QVERIFY(file != nullptr);
    QCOMPARE(gzwrite(file, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
    gzclose(file);
}

} // namespace

Q_DECLARE_METATYPE(std::vector<uint8_t>)

namespace {

const QString kFashionMnist = QStringLiteral("/usr/share/datasets/fashion-mnist");

} // namespace

class TestIdxReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsPlainAndGzipped_data();
    void readsPlainAndGzipped();
    void rejectsBadFiles_data();
    void rejectsBadFiles();
    void declarationsAreCheckedBeforeAllocating_data();
    void declarationsAreCheckedBeforeAllocating();
    void missingFileIsNamed();
    void truncatedGzipIsNamed();
    void realFashionMnistMatchesPythonReader_data();
    void realFashionMnistMatchesPythonReader();

private:
    QTemporaryDir m_dir;
};

void TestIdxReader::readsPlainAndGzipped_data()
{
    QTest::addColumn<bool>("gzipped");
    QTest::newRow("plain") << false;
    QTest::newRow("gzip") << true;
}

void TestIdxReader::readsPlainAndGzipped()
{
    QFETCH(bool, gzipped);
    const std::vector<uint8_t> bytes = makeIdx({3, 4, 5});
    const QString path = m_dir.filePath(gzipped ? "tiny.idx.gz" : "tiny.idx");
    if (gzipped) {
        writeGzip(path, bytes);
    } else {
        QVERIFY(tau::test::writeFile(path, QByteArray(reinterpret_cast<const char*>(bytes.data()), int(bytes.size()))));
    }
    const IdxArray array = readIdxFile(path.toStdString());
    QCOMPARE(array.shape, (std::vector<int64_t>{3, 4, 5}));
    QCOMPARE(array.data.size(), size_t(60));
    QCOMPARE(int(array.data[0]), 0);
    QCOMPARE(int(array.data[59]), 59);
    QCOMPARE(array.count(), int64_t(3));
}

void TestIdxReader::rejectsBadFiles_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");
    const std::vector<uint8_t> good = makeIdx({2, 3});
    const QByteArray valid(reinterpret_cast<const char*>(good.data()), int(good.size()));
    QTest::newRow("empty") << QByteArray() << "not an IDX file";
    QTest::newRow("bad magic") << QByteArray("\x01\x00\x08\x01\x00\x00\x00\x01x", 9) << "not an IDX file";
    QTest::newRow("float type") << QByteArray("\x00\x00\x0d\x01\x00\x00\x00\x01xxxx", 12) << "unsupported IDX element type";
    QTest::newRow("rank 0") << QByteArray("\x00\x00\x08\x00", 4) << "unsupported IDX rank";
    QTest::newRow("short header") << QByteArray("\x00\x00\x08\x02\x00\x00", 6) << "truncated IDX header";
    QTest::newRow("truncated data") << valid.left(valid.size() - 1) << "truncated: the header declares 6 bytes";
}

void TestIdxReader::rejectsBadFiles()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    const std::vector<uint8_t> data(bytes.begin(), bytes.end());
    try {
        decodeIdx(data, "bad.idx");
        QFAIL("a bad IDX file was accepted");
    } catch (const DataError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.startsWith("bad.idx: "), qPrintable(message));
        QVERIFY2(message.contains(reason), qPrintable(message));
    }
}

namespace {

/** A header of @p shape followed by @p dataBytes bytes: the header may declare far more than follows. */
std::vector<uint8_t> headerWithData(const std::vector<uint32_t>& shape, size_t dataBytes)
{
    std::vector<uint8_t> bytes = makeIdx({1});
    bytes.resize(4);
    bytes[3] = uint8_t(shape.size());
    for (const uint32_t extent : shape) {
        for (int shift : {24, 16, 8, 0}) {
            bytes.push_back(uint8_t(extent >> shift));
        }
    }
    bytes.resize(bytes.size() + dataBytes, 7);
    return bytes;
}

} // namespace

void TestIdxReader::declarationsAreCheckedBeforeAllocating_data()
{
    QTest::addColumn<QByteArray>("memoryCap"); // TAU_MAX_MEMORY; empty: the machine's
    QTest::addColumn<bool>("gzipped");
    QTest::addColumn<std::vector<uint8_t>>("bytes");
    QTest::addColumn<QString>("reason");
    // A billion 28x28 images declared in a few bytes: 784 GB that the old reader's gzip path would have grown into.
    const std::vector<uint8_t> billion = headerWithData({1'000'000'000, 28, 28}, 10);
    QTest::newRow("plain, 784 GB declared") << QByteArray() << false << billion
                                            << "truncated: the header declares 784000000000 bytes of data, the file holds 10";
    QTest::newRow("gzip, 784 GB declared") << QByteArray() << true << billion
                                           << "declares 784000000000 bytes of data, more than a";
    QTest::newRow("four 2^32 sides") << QByteArray() << false
                                     << headerWithData({0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, 4)
                                     << "impossibly large";
    // A whole file, but more than the memory a reader may take (here capped at 64 KiB).
    QTest::newRow("whole, over the budget") << QByteArray("64K") << true << makeIdx({100, 28, 28})
                                            << "its IDX array needs 77 KiB, more than the 64 KiB of memory available";
    QTest::newRow("whole, within the budget") << QByteArray("1M") << true << makeIdx({100, 28, 28}) << QString();
}

void TestIdxReader::declarationsAreCheckedBeforeAllocating()
{
    QFETCH(QByteArray, memoryCap);
    QFETCH(bool, gzipped);
    QFETCH(std::vector<uint8_t>, bytes);
    QFETCH(QString, reason);
    const QString path = m_dir.filePath(gzipped ? "declared.idx.gz" : "declared.idx");
    if (gzipped) {
        writeGzip(path, bytes);
    } else {
        QVERIFY(tau::test::writeFile(path, QByteArray(reinterpret_cast<const char*>(bytes.data()), int(bytes.size()))));
    }
    if (!memoryCap.isEmpty()) {
        qputenv("TAU_MAX_MEMORY", memoryCap);
    }
    QString message;
    try {
        const IdxArray array = readIdxFile(path.toStdString());
        QCOMPARE(array.data.size(), bytes.size() - 4 - 4 * array.shape.size());
    } catch (const DataError& error) {
        message = QString::fromUtf8(error.what());
    }
    qunsetenv("TAU_MAX_MEMORY");
    if (reason.isEmpty()) {
        QCOMPARE(message, QString());
        return;
    }
    QVERIFY2(message.startsWith(path + ": "), qPrintable(message));
    QVERIFY2(message.contains(reason), qPrintable(message));
}

void TestIdxReader::missingFileIsNamed()
{
    try {
        readIdxFile("/nonexistent/train-images-idx3-ubyte.gz");
        QFAIL("a missing file was accepted");
    } catch (const DataError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).startsWith("/nonexistent/train-images-idx3-ubyte.gz: cannot open"),
                 error.what());
    }
}

void TestIdxReader::truncatedGzipIsNamed()
{
    const QString whole = m_dir.filePath("whole.gz");
    writeGzip(whole, makeIdx({100, 28, 28}));
    const QByteArray compressed = tau::test::readFile(whole);
    const QString cut = m_dir.filePath("cut.gz");
    QVERIFY(tau::test::writeFile(cut, compressed.left(compressed.size() / 2)));
    try {
        readIdxFile(cut.toStdString());
        QFAIL("a truncated gzip file was accepted");
    } catch (const DataError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.startsWith(cut + ": "), qPrintable(message));
        QVERIFY2(message.contains("truncated") || message.contains("corrupt"), qPrintable(message));
    }
}

void TestIdxReader::realFashionMnistMatchesPythonReader_data()
{
    QTest::addColumn<QString>("file");
    for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                             "t10k-labels-idx1-ubyte.gz"}) {
        QTest::newRow(name) << kFashionMnist + "/" + name;
    }
}

void TestIdxReader::realFashionMnistMatchesPythonReader()
{
    QFETCH(QString, file);
    QVERIFY2(QFile::exists(file), "Debian's dataset-fashion-mnist is not installed (./tau installs it)");
    const IdxArray array = readIdxFile(file.toStdString());
    const auto reference = tau::test::runReferenceScript("idx_reference.py", {file});
    QVERIFY2(reference.exitCode == 0, reference.standardError.constData());
    const QJsonObject expected = QJsonDocument::fromJson(reference.standardOutput).object();

    const QJsonArray shape = expected["shape"].toArray();
    QCOMPARE(array.shape.size(), size_t(shape.size()));
    for (int i = 0; i < shape.size(); ++i) {
        QCOMPARE(array.shape[size_t(i)], int64_t(shape[i].toInteger()));
    }
    const int64_t rowSize = int64_t(array.data.size()) / array.count();
    const auto sum = [&](size_t begin, size_t end) {
        return std::accumulate(array.data.begin() + long(begin), array.data.begin() + long(end), int64_t(0));
    };
    QCOMPARE(sum(0, array.data.size()), expected["sum"].toInteger());
    QCOMPARE(sum(0, size_t(rowSize)), expected["first_row_sum"].toInteger());
    QCOMPARE(sum(array.data.size() - size_t(rowSize), array.data.size()), expected["last_row_sum"].toInteger());
    const QJsonArray firstValues = expected["first_values"].toArray();
    for (int i = 0; i < firstValues.size(); ++i) {
        QCOMPARE(int64_t(array.data[size_t(i * rowSize)]), firstValues[i].toInteger());
    }
}

QTEST_APPLESS_MAIN(TestIdxReader)
#include "tst_idx_reader.moc"
