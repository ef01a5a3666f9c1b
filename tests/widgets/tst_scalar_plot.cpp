// The Scalars tab of the training dashboard: an empty state that says where scalars come from, series by name.

#include "widgets/plots/qcp.h"
#include "widgets/plots/scalar_plot.h"

#include <QComboBox>
#include <QtTest>

using tau::widgets::ScalarPlot;

class TestScalarPlot : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyPlotSaysWhereScalarsComeFrom();
    void seriesAreShownByName();
};

void TestScalarPlot::emptyPlotSaysWhereScalarsComeFrom()
{
    ScalarPlot plot;
    QCOMPARE(plot.names(), QStringList());
    auto* note = qobject_cast<QCPItemText*>(plot.plot()->item(0));
    QVERIFY(note != nullptr);
    QVERIFY(note->visible());
    QVERIFY(note->text().contains("logging.knn_every"));
    QVERIFY(!plot.plot()->xAxis->visible());
}

void TestScalarPlot::seriesAreShownByName()
{
    ScalarPlot plot;
    plot.addPoint("knn_top1", 8, 0.5);
    plot.addPoint("knn_top1", 16, 0.625);
    plot.addPoint("grad_norm", 1, 3.0);
    QCOMPARE(plot.names(), (QStringList{"grad_norm", "knn_top1"}));
    QCOMPARE(plot.shownName(), QString("knn_top1")); // the first name that arrived
    QCOMPARE(plot.shownPointCount(), 2);
    QVERIFY(!qobject_cast<QCPItemText*>(plot.plot()->item(0))->visible());
    QVERIFY(plot.plot()->yAxis->range().contains(0.625));
    plot.showSeries("grad_norm");
    QCOMPARE(plot.shownPointCount(), 1);
    plot.clear();
    QCOMPARE(plot.names(), QStringList());
    QCOMPARE(plot.shownPointCount(), 0);
}

QTEST_MAIN(TestScalarPlot)
#include "tst_scalar_plot.moc"
