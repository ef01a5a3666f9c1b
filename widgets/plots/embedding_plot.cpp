#include "widgets/plots/embedding_plot.h"

#include "widgets/plots/plot_style.h"
#include "widgets/plots/qcp.h"

#include <QFrame>
#include <QLabel>
#include <QMouseEvent>
#include <QTextStream>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace tau::widgets {

namespace {

constexpr int kColourBuckets = 48; // finer steps are invisible at a marker's size
const QColor kNoScore(150, 150, 150);

QCPScatterStyle::ScatterShape markerOf(int set)
{
    static const QCPScatterStyle::ScatterShape shapes[] = {QCPScatterStyle::ssCircle, QCPScatterStyle::ssTriangle,
                                                           QCPScatterStyle::ssCross, QCPScatterStyle::ssDiamond,
                                                           QCPScatterStyle::ssSquare, QCPScatterStyle::ssPlus};
    return shapes[set % 6];
}

QCPGraph* addScatter(QCustomPlot* plot, int set, const QColor& colour, double markerSize)
{
    QCPGraph* graph = plot->addGraph();
    graph->setLineStyle(QCPGraph::lsNone);
    graph->setPen(QPen(colour, 1.2));
    // In-distribution points are filled circles; OOD markers are outlines, so they stay apart where they overlap.
    const bool filled = set == 0;
    graph->setScatterStyle(QCPScatterStyle(markerOf(set), QPen(colour, filled ? 0.0 : 1.2),
                                           filled ? QBrush(colour) : QBrush(Qt::NoBrush), markerSize));
    graph->setAdaptiveSampling(false); // every point stays where it is: each one is an image
    return graph;
}

} // namespace

EmbeddingPlot::EmbeddingPlot(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
    , m_hover(new QFrame(this, Qt::ToolTip))
    , m_hoverImage(new QLabel)
    , m_hoverText(new QLabel)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setAutoAddPlottableToLegend(false);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setWrap(6); // ten classes and the sets in rows, not one row wider than the window
    m_plot->setMouseTracking(true);
    m_hover->setObjectName(QStringLiteral("embeddingHover"));
    m_hoverText->setTextFormat(Qt::PlainText); // set and class names come from files
    m_hover->setFrameShape(QFrame::Box);
    auto* card = new QVBoxLayout(m_hover);
    card->setContentsMargins(4, 4, 4, 4);
    card->addWidget(m_hoverImage, 0, Qt::AlignCenter);
    card->addWidget(m_hoverText);
    m_hover->hide();
    m_plot->installEventFilter(this); // the hover card goes when the mouse leaves
    connect(m_plot, &QCustomPlot::mouseMove, this, &EmbeddingPlot::onMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this, &EmbeddingPlot::onMousePress);
    applyPalette(m_plot, palette());
}

void EmbeddingPlot::setData(const QVector<SharedThumbnailSet>& sets, const QVector<EmbeddingPoint>& points,
                            const QString& method)
{
    m_sets = sets;
    m_points = points;
    m_method = method;
    redraw();
    m_plot->rescaleAxes();
    // A margin of 4% on each side: a point at the edge of the cloud is drawn whole, not cut by the frame.
    for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis}) {
        const QCPRange range = axis->range();
        const double margin = std::max(0.04 * range.size(), 1e-9);
        axis->setRange(range.lower - margin, range.upper + margin);
    }
    m_plot->replot();
}

void EmbeddingPlot::setMarkerSize(double pixels)
{
    m_markerSize = pixels;
    redraw();
}

void EmbeddingPlot::setColouring(Colouring colouring)
{
    m_colouring = colouring;
    redraw();
}

void EmbeddingPlot::setClampPercentiles(double low, double high)
{
    m_lowPercentile = low;
    m_highPercentile = high;
    redraw();
}

double EmbeddingPlot::scoreOf(const EmbeddingPoint& point) const
{
    const ThumbnailSet& set = *m_sets[point.set];
    return set.hasScores() ? set.scores[point.image] : std::numeric_limits<double>::quiet_NaN();
}

void EmbeddingPlot::redraw()
{
    m_plot->clearGraphs();
    if (m_plot->legend) {
        m_plot->legend->clearItems();
    }
    if (m_colorScale) {
        m_plot->plotLayout()->remove(m_colorScale);
        m_colorScale = nullptr;
    }
    QVector<double> scores;
    for (const EmbeddingPoint& point : m_points) {
        scores.append(scoreOf(point));
    }
    m_colors.setRange(percentileOf(scores, m_lowPercentile), percentileOf(scores, m_highPercentile));
    const bool byCertainty = m_colouring == Colouring::Certainty;

    // A graph per (set, colour) keeps the draw calls few: 10,000 points draw in a few milliseconds.
    QMap<QPair<int, int>, QCPGraph*> graphs;
    for (const EmbeddingPoint& point : m_points) {
        int bucket = -1;
        QColor colour = kNoScore;
        if (byCertainty) {
            const double score = scoreOf(point);
            if (std::isfinite(score)) {
                bucket = std::min(kColourBuckets - 1, int(m_colors.positionOf(score) * kColourBuckets));
                colour = ColorMap::at((bucket + 0.5) / kColourBuckets);
            }
        } else {
            bucket = m_sets[point.set]->labels.value(point.image, -1);
            colour = bucket >= 0 ? categoricalColor(bucket) : kNoScore;
        }
        QCPGraph*& graph = graphs[{point.set, bucket}];
        if (graph == nullptr) {
            graph = addScatter(m_plot, point.set, colour, m_markerSize);
            if (!byCertainty && point.set == 0 && bucket >= 0) {
                graph->setName(m_sets[0]->className(point.image));
                m_plot->legend->addItem(new QCPPlottableLegendItem(m_plot->legend, graph));
            }
        }
        graph->addData(point.x, point.y);
    }
    // Marker legend: which shape is which set, in a neutral colour (needless for one set coloured by c).
    for (int set = 0; set < m_sets.size() && (m_sets.size() > 1 || !byCertainty); ++set) {
        QCPGraph* key = addScatter(m_plot, set, palette().color(QPalette::WindowText), m_markerSize);
        key->setName(m_sets[set]->name + (set == 0 ? tr(" (ID)") : tr(" (OOD)")));
        m_plot->legend->addItem(new QCPPlottableLegendItem(m_plot->legend, key));
    }
    keepLegendBelowWhileFilled(m_plot, 1); // under the axes: a legend inside them covers points
    m_plot->xAxis->setLabel(m_method + QStringLiteral(" 1"));
    m_plot->yAxis->setLabel(m_method + QStringLiteral(" 2"));

    if (byCertainty && std::any_of(scores.cbegin(), scores.cend(), [](double s) { return std::isfinite(s); })) {
        m_colorScale = new QCPColorScale(m_plot);
        m_plot->plotLayout()->addElement(0, 1, m_colorScale);
        m_colorScale->setGradient(ColorMap::gradient());
        m_colorScale->setDataRange(QCPRange(m_colors.low(), m_colors.high()));
        m_colorScale->axis()->setLabel(tr("certainty c (%1–%2th percentile)").arg(m_lowPercentile).arg(m_highPercentile));
        m_colorScale->setBarWidth(10);
        auto* margins = new QCPMarginGroup(m_plot);
        m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
        m_colorScale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    }
    applyPalette(m_plot, palette());
    m_plot->replot();
}

bool EmbeddingPlot::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_plot && (event->type() == QEvent::Leave || event->type() == QEvent::Hide)) {
        m_hover->hide();
    }
    return QWidget::eventFilter(watched, event);
}

void EmbeddingPlot::hideEvent(QHideEvent* event)
{
    m_hover->hide();
    QWidget::hideEvent(event);
}

int EmbeddingPlot::pointNear(const QPointF& pixel, double radius) const
{
    int best = -1;
    double bestDistance = radius * radius;
    for (int i = 0; i < m_points.size(); ++i) {
        const double dx = m_plot->xAxis->coordToPixel(m_points[i].x) - pixel.x();
        const double dy = m_plot->yAxis->coordToPixel(m_points[i].y) - pixel.y();
        if (dx * dx + dy * dy <= bestDistance) {
            bestDistance = dx * dx + dy * dy;
            best = i;
        }
    }
    return best;
}

void EmbeddingPlot::onMouseMove(QMouseEvent* event)
{
    const int nearest = pointNear(event->position());
    if (nearest < 0) {
        m_hover->hide();
        return;
    }
    const EmbeddingPoint& point = m_points[nearest];
    const ThumbnailSet& set = *m_sets[point.set];
    const QImage image = set.image(point.image).scaled(96, 96, Qt::KeepAspectRatio, Qt::FastTransformation);
    QString caption = QStringLiteral("%1 #%2 · %3").arg(set.name).arg(point.image).arg(set.className(point.image));
    if (set.hasScores()) {
        caption += QStringLiteral(" · c %1").arg(set.scores[point.image], 0, 'f', 6);
    }
    m_hoverImage->setPixmap(QPixmap::fromImage(image));
    m_hoverText->setText(caption);
    m_hover->adjustSize();
    m_hover->move(event->globalPosition().toPoint() + QPoint(14, 14));
    m_hover->show();
}

void EmbeddingPlot::onMousePress(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton) {
        return;
    }
    const int nearest = pointNear(event->position());
    if (nearest >= 0) {
        Q_EMIT pointClicked(m_points[nearest].set, m_points[nearest].image);
    }
}

QString EmbeddingPlot::toCsv() const
{
    QString text;
    QTextStream out(&text);
    out << "set,image,label,score," << m_method.toLower() << "_x," << m_method.toLower() << "_y\n";
    for (const EmbeddingPoint& point : m_points) {
        const double score = scoreOf(point);
        out << m_sets[point.set]->name << ',' << point.image << ',' << m_sets[point.set]->labels.value(point.image, -1)
            << ',' << (std::isfinite(score) ? QString::number(score, 'g', 10) : QString()) << ','
            << QString::number(point.x, 'g', 10) << ',' << QString::number(point.y, 'g', 10) << '\n';
    }
    return text;
}

} // namespace tau::widgets
