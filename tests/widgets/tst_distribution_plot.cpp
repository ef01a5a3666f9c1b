#include "widgets/plots/distribution_plot.h"

#include "widgets/plots/qcp.h"

#include <QtTest>

using namespace tau::widgets;

class TestDistributionPlot : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void heatMapAppearsWithTheFirstEpoch();
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

QTEST_MAIN(TestDistributionPlot)
#include "tst_distribution_plot.moc"
