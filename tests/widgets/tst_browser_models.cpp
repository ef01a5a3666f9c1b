// The analysis widgets' models and maths: the certainty grid (60,000 images), the per-class extremes, the
// metrics table, the colour map and the score histograms.
#include "tests/support/test_support.h"
#include "widgets/browser/certainty_browser.h"
#include "widgets/browser/certainty_models.h"
#include "widgets/plots/color_map.h"
#include "widgets/plots/score_histogram_plot.h"
#include "widgets/tables/metrics_table_model.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QListView>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <random>

using namespace tau::widgets;

namespace {

/** @p count random 8x8 grey images in @p classes classes with random scores (seeded). */
std::shared_ptr<ThumbnailSet> randomSet(int count, int classes, bool withScores = true)
{
    auto set = std::make_shared<ThumbnailSet>();
    set->name = QStringLiteral("random");
    set->height = set->width = 8;
    set->pixels.resize(qsizetype(count) * 64);
    std::mt19937 generator(42);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    for (char& byte : set->pixels) {
        byte = char(generator() & 0xff);
    }
    for (int c = 0; c < classes; ++c) {
        set->classNames << QStringLiteral("class %1").arg(c);
    }
    for (int i = 0; i < count; ++i) {
        set->labels.append(int(generator() % unsigned(classes)));
        if (withScores) {
            set->scores.append(uniform(generator));
        }
    }
    return set;
}

double relativeLuminance(const QColor& colour)
{
    const auto linear = [](double channel) {
        return channel <= 0.04045 ? channel / 12.92 : std::pow((channel + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF()) + 0.0722 * linear(colour.blueF());
}

} // namespace

class TestBrowserModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void gridSortsSixtyThousandImagesByScore();
    void gridFiltersByClassAndFindsRows();
    void gridWithoutScoresKeepsDatasetOrder();
    void extremesShowEachClassesMostAndLeastCertain();
    void browserSelectsAnImageHiddenByTheFilter();
    void metricsTableSortsByValueAndShowsIntervals();
    void colorMapIsViridisAndClamps();
    void percentilesMatchNumpy();
    void histogramsAreDensities();
};

void TestBrowserModels::gridSortsSixtyThousandImagesByScore()
{
    const auto set = randomSet(60000, 10);
    CertaintyGridModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setImageSet(set);
    QCOMPARE(model.rowCount(), 60000);
    QVector<double> sorted = set->scores;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    for (const int row : {0, 1, 1000, 30000, 59999}) {
        QCOMPARE(model.index(row).data(ScoreRole).toDouble(), sorted[row]);
    }
    const QPixmap thumbnail = model.index(0).data(Qt::DecorationRole).value<QPixmap>();
    QCOMPARE(thumbnail.size(), QSize(64, 64)); // 8x8 scaled to the default side
    QVERIFY(model.index(0).data(Qt::DisplayRole).toString().startsWith("c 0.99"));

    model.setOrder(Qt::AscendingOrder);
    QCOMPARE(model.index(0).data(ScoreRole).toDouble(), sorted.last());
    QCOMPARE(model.index(59999).data(ScoreRole).toDouble(), sorted.first());
}

void TestBrowserModels::gridFiltersByClassAndFindsRows()
{
    const auto set = randomSet(2000, 5);
    CertaintyGridModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setImageSet(set);
    model.setClassFilter(3);
    const int members = int(std::count(set->labels.cbegin(), set->labels.cend(), 3));
    QCOMPARE(model.rowCount(), members);
    double previous = 2.0;
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex index = model.index(row);
        QCOMPARE(index.data(LabelRole).toInt(), 3);
        QVERIFY(index.data(ScoreRole).toDouble() <= previous);
        previous = index.data(ScoreRole).toDouble();
        QCOMPARE(model.rowOfImage(index.data(ImageIndexRole).toInt()), row);
    }
    const int other = int(std::find(set->labels.cbegin(), set->labels.cend(), 1) - set->labels.cbegin());
    QCOMPARE(model.rowOfImage(other), -1);
}

void TestBrowserModels::gridWithoutScoresKeepsDatasetOrder()
{
    CertaintyGridModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setImageSet(randomSet(100, 3, /*withScores=*/false));
    for (int row = 0; row < 100; ++row) {
        QCOMPARE(model.index(row).data(ImageIndexRole).toInt(), row);
    }
    QVERIFY(std::isnan(model.index(0).data(ScoreRole).toDouble()));
}

void TestBrowserModels::extremesShowEachClassesMostAndLeastCertain()
{
    const auto set = randomSet(3000, 4);
    ClassExtremesModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setImageSet(set);
    model.setPerSide(5);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.columnCount(), 10);
    for (int row = 0; row < 4; ++row) {
        QVector<double> members;
        for (int i = 0; i < set->count(); ++i) {
            if (set->labels[i] == row) {
                members.append(set->scores[i]);
            }
        }
        std::sort(members.begin(), members.end(), std::greater<>());
        QCOMPARE(model.headerData(row, Qt::Vertical).toString(), QStringLiteral("class %1").arg(row));
        for (int k = 0; k < 5; ++k) {
            QCOMPARE(model.index(row, k).data(ScoreRole).toDouble(), members[k]);                       // most, left
            QCOMPARE(model.index(row, 9 - k).data(ScoreRole).toDouble(), members[members.size() - 1 - k]); // least, right
            QCOMPARE(model.index(row, k).data(LabelRole).toInt(), row);
        }
    }
    QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), QStringLiteral("most 1"));
    QCOMPARE(model.headerData(9, Qt::Horizontal).toString(), QStringLiteral("least 1"));

    // A class with fewer images than cells leaves the middle empty rather than repeating images.
    const auto small = randomSet(6, 2);
    model.setImageSet(small);
    for (int row = 0; row < model.rowCount(); ++row) {
        QSet<int> shown;
        int filled = 0;
        for (int column = 0; column < model.columnCount(); ++column) {
            const int image = model.imageAt(row, column);
            filled += image >= 0 ? 1 : 0;
            if (image >= 0 && column < model.perSide()) {
                QVERIFY(!shown.contains(image));
                shown.insert(image);
            }
        }
        QVERIFY(filled <= 2 * 6);
    }
}

void TestBrowserModels::browserSelectsAnImageHiddenByTheFilter()
{
    CertaintyBrowser browser;
    const auto set = randomSet(60000, 10);
    browser.resize(900, 600);
    browser.show();
    browser.setImageSet(set);
    QVERIFY(QTest::qWaitForWindowExposed(&browser));
    browser.gridModel()->setClassFilter(2);
    const int image = int(std::find(set->labels.cbegin(), set->labels.cend(), 7) - set->labels.cbegin());
    browser.selectImage(image);
    QCOMPARE(browser.selectedImage(), image);
    QVERIFY(browser.gridModel()->rowOfImage(image) >= 0); // the filter was cleared to show it
    auto* view = browser.findChild<QListView*>("certaintyGrid");
    QCOMPARE(view->currentIndex().data(ImageIndexRole).toInt(), image);
    QVERIFY(browser.findChild<QLabel*>("imageDetails")->text().contains(QStringLiteral("#%1").arg(image)));
}

void TestBrowserModels::metricsTableSortsByValueAndShowsIntervals()
{
    MetricsTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    MetricRow a{"run_a", "mnist", "tau", {0.61, {}}, {0.9, {}}, {0.5, {}}, {0.7, {}}};
    MetricRow b{"run_a", "mnist", "knn", {0.93, qMakePair(0.91, 0.95)}, {0.3, {}}, {0.9, {}}, {0.8, {}}};
    MetricRow c{"run_b", "gaussian_noise", "knn", {0.75, {}}, {0.6, {}}, {0.7, {}}, {0.6, {}}};
    model.setRows({a, b, c});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(1, MetricsTableModel::Auroc).data().toString(), QStringLiteral("0.9300 [0.910, 0.950]"));
    QSortFilterProxyModel sorted;
    sorted.setSourceModel(&model);
    sorted.setSortRole(Qt::UserRole);
    sorted.sort(MetricsTableModel::Auroc, Qt::DescendingOrder);
    QCOMPARE(sorted.index(0, MetricsTableModel::Score).data().toString(), QStringLiteral("knn"));
    QCOMPARE(sorted.index(0, MetricsTableModel::Run).data().toString(), QStringLiteral("run_a"));
    QCOMPARE(sorted.index(2, MetricsTableModel::Score).data().toString(), QStringLiteral("tau"));
    sorted.sort(MetricsTableModel::Fpr95, Qt::AscendingOrder);
    QCOMPARE(sorted.index(0, MetricsTableModel::Auroc).data(Qt::UserRole).toDouble(), 0.93);
}

void TestBrowserModels::colorMapIsViridisAndClamps()
{
    QCOMPARE(ColorMap::at(0.0), QColor(0x44, 0x01, 0x54)); // viridis' ends
    QCOMPARE(ColorMap::at(1.0), QColor(0xfd, 0xe7, 0x25));
    // Perceptually ordered: lightness rises monotonically, so the map reads in grey and for colour-blind readers
    // (strictly between viridis' anchors; within 8-bit rounding between any two neighbouring samples).
    double previous = -1;
    for (int i = 0; i <= 15; ++i) {
        const double luminance = relativeLuminance(ColorMap::at(i / 15.0));
        QVERIFY2(luminance > previous + 0.01, qPrintable(QString::number(i)));
        previous = luminance;
    }
    previous = -1;
    for (int i = 0; i <= 255; ++i) {
        const double luminance = relativeLuminance(ColorMap::at(i / 255.0));
        QVERIFY2(luminance >= previous - 1e-3, qPrintable(QString::number(i)));
        previous = luminance;
    }
    ColorMap map;
    map.setRange(0.2, 0.6);
    QCOMPARE(map.colorFor(0.0), ColorMap::at(0.0));
    QCOMPARE(map.colorFor(0.9), ColorMap::at(1.0));
    QCOMPARE(map.colorFor(0.4), ColorMap::at(0.5));
    QCOMPARE(map.positionOf(0.3), 0.25);
    QCOMPARE(ColorMap::at(std::nan("")), ColorMap::at(0.0));
}

void TestBrowserModels::percentilesMatchNumpy()
{
    std::mt19937 generator(5);
    std::normal_distribution<double> normal(0.0, 1.0);
    QVector<double> values;
    QByteArray text;
    for (int i = 0; i < 1001; ++i) {
        values.append(normal(generator));
        text += QByteArray::number(values.last(), 'g', 17) + '\n';
    }
    QTemporaryDir dir;
    const QString file = dir.filePath("values.txt");
    QVERIFY(tau::test::writeFile(file, text));
    const auto reference = tau::test::runReferenceScript("percentile_reference.py", {file, "0", "2", "37.5", "98", "100"});
    QVERIFY2(reference.exitCode == 0, reference.standardError.constData());
    const QList<QByteArray> expected = reference.standardOutput.trimmed().split('\n');
    const double levels[] = {0, 2, 37.5, 98, 100};
    for (int i = 0; i < 5; ++i) {
        QVERIFY(std::abs(percentileOf(values, levels[i]) - expected[i].toDouble()) < 1e-12);
    }
}

void TestBrowserModels::histogramsAreDensities()
{
    const QVector<double> edges = {0.0, 0.5, 1.0, 2.0};
    const QVector<double> density = densityHistogram({0.1, 0.2, 0.6, 1.5, 2.0, 7.0}, edges);
    // 5 values fall in [0, 2] (2.0 in the last, closed bin; 7.0 outside).
    QCOMPARE(density[0], 2.0 / (5 * 0.5));
    QCOMPARE(density[1], 1.0 / (5 * 0.5));
    QCOMPARE(density[2], 2.0 / (5 * 1.0));
    double area = 0;
    for (int bin = 0; bin < 3; ++bin) {
        area += density[bin] * (edges[bin + 1] - edges[bin]);
    }
    QCOMPARE(area, 1.0);

    ScoreHistogramPlot plot;
    plot.setSamples("TaU c", {{"fashion_mnist", "Fashion-MNIST", true, {0.9, 0.95, 0.99}}, {"mnist", "MNIST", false, {0.1, 0.2, 0.95}}}, 4);
    const QString csv = plot.toCsv();
    QVERIFY(csv.startsWith("set,bin_low,bin_high,density\n"));
    QCOMPARE(csv.count('\n'), 1 + 2 * 4);
}

QTEST_MAIN(TestBrowserModels)
#include "tst_browser_models.moc"
