#include "widgets/plots/distribution_plot.h"

#include "widgets/plots/qcp.h"

#include <QtTest>

using namespace tau::widgets;

class TestDistributionPlot : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void heatMapAppearsWithTheFirstEpoch();
    void comparisonIsDrawnBesideTheTrainingImages();
};

namespace {

QCPColorMap* colorMapOf(const DistributionPlot& plot)
{
    for (int i = 0; i < plot.evolutionPlot()->plottableCount(); ++i) {
        if (auto* map = qobject_cast<QCPColorMap*>(plot.evolutionPlot()->plottable(i))) {
            return map;
        }
    }
    return nullptr;
}

EpochHistogram epoch(int number)
{
    EpochHistogram histogram;
    histogram.epoch = number;
    histogram.edges = {0.0, 0.25, 0.5, 0.75, 1.0};
    histogram.counts = {1, 4, 9, 2};
    histogram.percentiles = {0.2, 0.4, 0.5, 0.6, 0.8};
    return histogram;
}

} // namespace

// Before any epoch an empty heat map would draw as one block of its lowest colour, which reads as data.
void TestDistributionPlot::heatMapAppearsWithTheFirstEpoch()
{
    DistributionPlot plot(QStringLiteral("c"));
    QCPColorMap* map = colorMapOf(plot);
    QVERIFY(map != nullptr);
    QVERIFY(!map->visible());
    QVERIFY(!map->colorScale()->visible());
    plot.addEpoch(epoch(1));
    plot.addEpoch(epoch(2));
    plot.redraw();
    QVERIFY(map->visible());
    QVERIFY(map->colorScale()->visible());
    QCOMPARE(map->data()->keySize(), 2);
    plot.clear();
    plot.redraw();
    QVERIFY(!map->visible());
}

/**
 * Outlier exposure's synthetic outliers beside the training images: their latest histogram as an outline over the
 * bars, their median by epoch, a legend naming both; a plot with a change of variable (tau) takes none.
 */
void TestDistributionPlot::comparisonIsDrawnBesideTheTrainingImages()
{
    DistributionPlot plot(QStringLiteral("c"));
    plot.addEpoch(epoch(1));
    plot.redraw();
    QVERIFY(!plot.histogramPlot()->legend->visible()); // nothing to tell apart yet
    QVERIFY(plot.comparisonMedian().isEmpty());

    for (int number : {1, 2}) {
        EpochHistogram outliers = epoch(number);
        outliers.counts = {7, 1, 0, 0};
        outliers.percentiles = {0.02, 0.05, 0.1 / number, 0.2, 0.3};
        plot.addComparison(outliers, QStringLiteral("synthetic outliers"));
        if (number == 2) {
            plot.addEpoch(epoch(2));
        }
    }
    plot.redraw();
    QCOMPARE(plot.comparisonMedian(), (QVector<double>{0.1, 0.05}));
    QCustomPlot* histogram = plot.histogramPlot();
    QVERIFY(histogram->legend->visible() && plot.evolutionPlot()->legend->visible());
    QCOMPARE(histogram->legend->itemCount(), 2);
    QStringList names;
    for (int i = 0; i < histogram->legend->itemCount(); ++i) {
        names << static_cast<QCPPlottableLegendItem*>(histogram->legend->item(i))->plottable()->name();
    }
    QCOMPARE(names, (QStringList{"training images", "synthetic outliers"}));
    // The outline is the latest epoch's outlier counts, edge to edge.
    QCPGraph* outline = nullptr;
    for (int i = 0; i < histogram->graphCount(); ++i) {
        if (histogram->graph(i)->name() == QLatin1String("synthetic outliers")) {
            outline = histogram->graph(i);
        }
    }
    QVERIFY(outline != nullptr && outline->visible());
    QCOMPARE(outline->data()->size(), 5);
    QCOMPARE(outline->data()->at(0)->value, 7.0);
    QCOMPARE(outline->data()->at(1)->value, 1.0);

    DistributionPlot temperature(QStringLiteral("tau"), nullptr, [](double c) { return 0.1 / std::max(c, 1e-3); });
    temperature.addEpoch(epoch(1));
    temperature.addComparison(epoch(1), QStringLiteral("synthetic outliers"));
    temperature.redraw();
    QVERIFY(temperature.comparisonMedian().isEmpty());
    QVERIFY(!temperature.histogramPlot()->legend->visible());
}

QTEST_MAIN(TestDistributionPlot)
#include "tst_distribution_plot.moc"
