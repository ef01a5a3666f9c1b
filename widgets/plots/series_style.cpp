#include "widgets/plots/series_style.h"

#include "widgets/plots/qcp.h"

#include <cmath>

namespace tau::widgets {

namespace {

// Okabe and Ito (2008), without their yellow, which vanishes on white paper.
const QColor kBlack(0, 0, 0), kOrange(230, 159, 0), kSky(86, 180, 233), kGreen(0, 158, 115), kBlue(0, 114, 178),
    kVermillion(213, 94, 0), kPurple(204, 121, 167);

struct Row
{
    QColor colour;
    Qt::PenStyle dash;
    QCPScatterStyle::ScatterShape marker;
};

// Every row differs from every other in its dash or its marker: the pair is what a grey print keeps.
const Row kRows[] = {
    {kBlue, Qt::SolidLine, QCPScatterStyle::ssNone},          {kVermillion, Qt::DashLine, QCPScatterStyle::ssNone},
    {kGreen, Qt::DotLine, QCPScatterStyle::ssNone},           {kPurple, Qt::DashDotLine, QCPScatterStyle::ssNone},
    {kOrange, Qt::SolidLine, QCPScatterStyle::ssCircle},      {kSky, Qt::DashLine, QCPScatterStyle::ssSquare},
    {kBlack, Qt::DotLine, QCPScatterStyle::ssTriangle},       {kBlue, Qt::DashDotLine, QCPScatterStyle::ssDiamond},
    {kVermillion, Qt::SolidLine, QCPScatterStyle::ssCross},   {kGreen, Qt::DashLine, QCPScatterStyle::ssPlus},
    {kPurple, Qt::DotLine, QCPScatterStyle::ssTriangleInverted}, {kOrange, Qt::DashDotLine, QCPScatterStyle::ssCircle},
    {kSky, Qt::SolidLine, QCPScatterStyle::ssTriangle},       {kBlack, Qt::DashLine, QCPScatterStyle::ssDiamond},
};
constexpr int kRowCount = int(sizeof(kRows) / sizeof(kRows[0]));

constexpr double kMarkerSize = 5.0;
constexpr int kIconWidth = 22; ///< long enough for a dash pattern and a marker to both show

QPen seriesPen(const SeriesStyle& style, double width)
{
    QPen pen(style.colour, width, style.dash);
    pen.setCapStyle(Qt::FlatCap); // round caps fill a dotted line's gaps at small sizes
    return pen;
}

/** A legend entry that draws its icon itself: a line sample, a marker, or both. */
class StyleLegendItem : public QCPAbstractLegendItem
{
public:
    StyleLegendItem(QCPLegend* parent, const QPen& line, int marker, const QColor& markerColour, const QString& text)
        : QCPAbstractLegendItem(parent), m_line(line), m_marker(marker), m_markerColour(markerColour), m_text(text)
    {
        setMargins(QMargins(2, 1, 4, 2)); // QCustomPlot's 8 each side fits one AUROC per row under a narrow panel
    }

protected:
    QSize minimumOuterSizeHint() const override
    {
        const QFontMetrics metrics(currentFont());
        const QSize icon = iconSize();
        const QRect text = metrics.boundingRect(0, 0, 0, icon.height(), Qt::TextDontClip, m_text);
        return QSize(icon.width() + padding() + text.width() + mMargins.left() + mMargins.right(),
                     qMax(text.height(), icon.height()) + mMargins.top() + mMargins.bottom());
    }

    void draw(QCPPainter* painter) override
    {
        painter->setFont(currentFont());
        painter->setPen(QPen(currentTextColour()));
        const QSize icon = iconSize();
        const QRect text = painter->fontMetrics().boundingRect(0, 0, 0, icon.height(), Qt::TextDontClip, m_text);
        const int height = qMax(text.height(), icon.height());
        painter->drawText(mRect.x() + icon.width() + padding(), mRect.y(), text.width(), height,
                          Qt::TextDontClip, m_text);
        const QRectF iconRect(mRect.x(), mRect.y() + (height - icon.height()) / 2.0, icon.width(), icon.height());
        const double middle = iconRect.center().y();
        if (m_line.style() != Qt::NoPen) {
            painter->setPen(m_line);
            painter->drawLine(QLineF(iconRect.left(), middle, iconRect.right(), middle));
        }
        if (m_marker != QCPScatterStyle::ssNone) {
            QCPScatterStyle(QCPScatterStyle::ScatterShape(m_marker), m_markerColour, Qt::white, kMarkerSize)
                .applyTo(painter, QPen(m_markerColour, 1.2));
            QCPScatterStyle(QCPScatterStyle::ScatterShape(m_marker), m_markerColour, Qt::white, kMarkerSize)
                .drawShape(painter, iconRect.center());
        }
    }

public:
    const QString& text() const { return m_text; }

private:
    QFont currentFont() const { return mSelected ? mSelectedFont : mFont; }
    QColor currentTextColour() const { return mSelected ? mSelectedTextColor : mTextColor; }
    /** As tall as a line of text (QCustomPlot's default 18 px would double a legend's rows), wide enough to show a
     *  dash pattern and a marker. */
    QSize iconSize() const { return QSize(kIconWidth, QFontMetrics(currentFont()).height()); }
    int padding() const { return mParentLegend->iconTextPadding(); }

    QPen m_line;
    int m_marker;
    QColor m_markerColour;
    QString m_text;
};

} // namespace

SeriesStyle seriesStyle(int index)
{
    const int row = ((index % kRowCount) + kRowCount) % kRowCount;
    return SeriesStyle{kRows[row].colour, kRows[row].dash, int(kRows[row].marker), row};
}

int seriesStyleCount()
{
    return kRowCount;
}

void applySeriesStyle(QCPGraph* graph, const SeriesStyle& style, double width)
{
    graph->setPen(seriesPen(style, width));
}

QCPGraph* addSeriesMarkers(QCPGraph* curve, const SeriesStyle& style, int count)
{
    if (style.marker == QCPScatterStyle::ssNone || curve->data()->isEmpty()) {
        return nullptr;
    }
    QCPAxis* keys = curve->keyAxis();
    const bool logarithmic = keys->scaleType() == QCPAxis::stLogarithmic;
    const auto toAxis = [&](double key) { return logarithmic ? std::log(std::max(key, 1e-300)) : key; };
    const double low = toAxis(keys->range().lower), high = toAxis(keys->range().upper);
    const double shift = std::fmod(0.37 * style.index, 1.0) - 0.5; // golden-ish steps keep neighbours apart
    QVector<double> x, y;
    for (int k = 0; k < count; ++k) {
        const double at = low + (high - low) * (k + 0.5 + 0.8 * shift / 2) / count;
        const double key = logarithmic ? std::exp(at) : at;
        auto above = curve->data()->findBegin(key, /*expandedRange=*/false);
        if (above == curve->data()->constEnd()) {
            continue;
        }
        double value = above->value;
        if (above != curve->data()->constBegin()) {
            const auto below = above - 1;
            const double span = above->key - below->key;
            value = span > 0 ? below->value + (above->value - below->value) * (key - below->key) / span : above->value;
        }
        x.append(key);
        y.append(value);
    }
    QCPGraph* markers = curve->parentPlot()->addGraph(keys, curve->valueAxis());
    markers->setLineStyle(QCPGraph::lsNone);
    markers->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ScatterShape(style.marker), QPen(style.colour, 1.2),
                                             QBrush(Qt::white), kMarkerSize));
    markers->setData(x, y);
    markers->removeFromLegend();
    markAsDecoration(markers);
    return markers;
}

bool isDecoration(const QCPGraph* graph)
{
    return graph->property("tauDecoration").toBool();
}

void markAsDecoration(QCPGraph* graph)
{
    graph->setProperty("tauDecoration", true);
}

QCPAbstractLegendItem* addStyleLegendItem(QCPLegend* legend, const SeriesStyle& style, const QString& text)
{
    auto* item = new StyleLegendItem(legend, seriesPen(style, 1.5), style.marker, style.colour, text);
    legend->addItem(item);
    return item;
}

QCPAbstractLegendItem* addMarkerLegendItem(QCPLegend* legend, int marker, const QColor& colour, const QString& text)
{
    auto* item = new StyleLegendItem(legend, QPen(Qt::NoPen), marker, colour, text);
    legend->addItem(item);
    return item;
}

QString legendText(const QCPAbstractLegendItem* item)
{
    if (const auto* style = dynamic_cast<const StyleLegendItem*>(item)) {
        return style->text();
    }
    if (const auto* plottable = qobject_cast<const QCPPlottableLegendItem*>(item)) {
        return const_cast<QCPPlottableLegendItem*>(plottable)->plottable()->name(); // QCustomPlot lacks the const getter
    }
    return {};
}

QCPAbstractLegendItem* addLineLegendItem(QCPLegend* legend, const QColor& colour, Qt::PenStyle dash, const QString& text)
{
    auto* item = new StyleLegendItem(legend, QPen(colour, 1, dash), QCPScatterStyle::ssNone, colour, text);
    legend->addItem(item);
    return item;
}

} // namespace tau::widgets
