#include "tests/support/test_support.h"
#include "widgets/export/figure_export.h"
#include "widgets/export/figure_export_dialog.h"
#include "widgets/plots/qcp.h"
#include "widgets/plots/roc_plot.h"
#include "widgets/plots/series_style.h"

#include <QImage>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest>

using namespace tau::widgets;

namespace {

RocSeries curve(const QString& name, double power)
{
    RocSeries series;
    series.name = name;
    for (int i = 0; i <= 50; ++i) {
        const double fpr = i / 50.0;
        series.fpr.append(fpr);
        series.tpr.append(std::pow(fpr, power));
    }
    series.auroc = 1.0 / (power + 1.0);
    return series;
}

QVector<RocPanel> twoPanels()
{
    return {RocPanel{"mnist", "MNIST", {curve("tau", 0.2), curve("knn", 0.5)}},
            RocPanel{"gaussian_noise", "Gaussian noise", {curve("tau", 0.3)}}};
}

} // namespace

class TestFigureExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // TAU_KEEP_TEST_FILES=1 keeps the figures, to look at them (pdftoppm, an image viewer).
        m_dir.setAutoRemove(qEnvironmentVariableIsEmpty("TAU_KEEP_TEST_FILES"));
        qInfo("figures in %s", qPrintable(m_dir.path()));
    }
    void rocPanelsAndLegend();
    void pngHasTheRequestedPixelSize();
    void svgParsesAndPdfHoldsVectorPaths();
    void unknownFormatIsNamed();
    void dialogStartsAtThePlotOnScreen();

private:
    QTemporaryDir m_dir;
};

void TestFigureExport::rocPanelsAndLegend()
{
    RocPlot plot;
    plot.setPanels(twoPanels());
    QCOMPARE(plot.panelCount(), 2);
    QCOMPARE(plot.plot()->axisRects().size(), 2);
    // One legend shared by the panels names each curve once, the chance line and the marked operating point;
    // each panel lists its AUROCs under its axes.
    QStringList shared;
    for (int i = 0; i < plot.plot()->legend->itemCount(); ++i) {
        shared << legendText(plot.plot()->legend->item(i));
    }
    QCOMPARE(shared, (QStringList{"tau", "knn", "chance", "TPR 95%"}));
    QStringList aurocs;
    for (QCPLegend* legend : plot.plot()->findChildren<QCPLegend*>()) {
        for (int i = 0; legend != plot.plot()->legend && i < legend->itemCount(); ++i) {
            aurocs << legendText(legend->item(i));
        }
    }
    QVERIFY2(aurocs.contains("0.833") && aurocs.contains("0.667") && aurocs.contains("0.769"), qPrintable(aurocs.join(", ")));
    plot.setLogarithmicFpr(true);
    QCOMPARE(plot.plot()->axisRects().first()->axis(QCPAxis::atBottom)->scaleType(), QCPAxis::stLogarithmic);
}

void TestFigureExport::pngHasTheRequestedPixelSize()
{
    RocPlot plot;
    plot.setPanels(twoPanels());
    const QString path = m_dir.filePath("roc.png");
    QCOMPARE(exportFigure(plot.plot(), path, FigureOptions{FigureSize::Column, 300}), QString());
    const QImage image(path);
    QCOMPARE(image.width(), 1050); // 3.5 in at 300 dpi
    // As tall as two square panels abreast, their labels, AUROCs and the legend need: more than wide / 2.
    QVERIFY2(image.height() > 525 && image.height() < 1050, qPrintable(QString::number(image.height())));
    QCOMPARE(QColor(image.pixel(2, 2)), QColor(Qt::white)); // papers are white
}

void TestFigureExport::svgParsesAndPdfHoldsVectorPaths()
{
    RocPlot plot;
    plot.setPanels(twoPanels());
    const QString svg = m_dir.filePath("roc.svg");
    QCOMPARE(exportFigure(plot.plot(), svg, FigureOptions{FigureSize::DoubleColumn, 300}), QString());
    QVERIFY(QSvgRenderer(svg).isValid());
    const QByteArray svgText = tau::test::readFile(svg);
    QVERIFY2(svgText.contains("<polyline") || svgText.contains("<path"), svgText.left(400).constData());
    const QString pdf = m_dir.filePath("roc.pdf");
    QCOMPARE(exportFigure(plot.plot(), pdf, FigureOptions{}), QString());
    const auto check = tau::test::runReferenceScript("pdf_has_vector_paths.py", {pdf});
    QVERIFY2(check.exitCode == 0, check.standardOutput.constData());
}

void TestFigureExport::unknownFormatIsNamed()
{
    RocPlot plot;
    QVERIFY(exportFigure(plot.plot(), m_dir.filePath("roc.bmpx"), FigureOptions{}).contains("unknown figure format 'bmpx'"));
}

// Export -> Figure writes the plot on screen: the dialog starts at it, with a file name saying what it is.
void TestFigureExport::dialogStartsAtThePlotOnScreen()
{
    FigureExportDialog dialog({"Embedding", "ROC curves", "Score histograms"},
                              {"embedding_run3", "roc_run3", "score_histograms_run3"}, 1, "/tmp/out");
    QCOMPARE(dialog.figureIndex(), 1);
    QCOMPARE(dialog.path(), QStringLiteral("/tmp/out/roc_run3.pdf"));
    QVERIFY(!dialog.options().titles); // papers caption their figures
}

QTEST_MAIN(TestFigureExport)
#include "tst_figure_export.moc"
