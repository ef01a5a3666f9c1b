#include "widgets/plots/color_map.h"

#include "widgets/plots/qcp.h"

#include <algorithm>
#include <cmath>

namespace tau::widgets {

namespace {

// Viridis at 16 evenly spaced points (its published values); smooth enough to interpolate linearly between them.
const QColor kViridis[] = {
    QColor(0x44, 0x01, 0x54), QColor(0x48, 0x1a, 0x6c), QColor(0x47, 0x2f, 0x7d), QColor(0x41, 0x44, 0x87),
    QColor(0x39, 0x56, 0x8c), QColor(0x31, 0x68, 0x8e), QColor(0x2a, 0x78, 0x8e), QColor(0x23, 0x88, 0x8e),
    QColor(0x1f, 0x98, 0x8b), QColor(0x22, 0xa8, 0x84), QColor(0x35, 0xb7, 0x79), QColor(0x54, 0xc5, 0x68),
    QColor(0x7a, 0xd1, 0x51), QColor(0xa5, 0xdb, 0x36), QColor(0xd2, 0xe2, 0x1b), QColor(0xfd, 0xe7, 0x25)};
constexpr int kAnchors = int(sizeof(kViridis) / sizeof(kViridis[0]));

const QColor kCategorical[] = {QColor(0, 114, 178),   QColor(230, 159, 0),  QColor(0, 158, 115), QColor(204, 121, 167),
                               QColor(86, 180, 233),  QColor(213, 94, 0),   QColor(240, 228, 66), QColor(0, 0, 0),
                               QColor(148, 103, 189), QColor(140, 86, 75),  QColor(127, 127, 127), QColor(188, 189, 34)};

} // namespace

ColorMap::ColorMap() = default;

void ColorMap::setRange(double low, double high)
{
    m_low = std::min(low, high);
    m_high = std::max(low, high);
}

QColor ColorMap::at(double position)
{
    const double clamped = std::clamp(std::isfinite(position) ? position : 0.0, 0.0, 1.0) * (kAnchors - 1);
    const int left = std::min(int(clamped), kAnchors - 2);
    const double fraction = clamped - left;
    const QColor& a = kViridis[left];
    const QColor& b = kViridis[left + 1];
    const auto mix = [fraction](int x, int y) { return int(std::lround(x + (y - x) * fraction)); };
    return QColor(mix(a.red(), b.red()), mix(a.green(), b.green()), mix(a.blue(), b.blue()));
}

double ColorMap::positionOf(double value) const
{
    if (!(m_high > m_low)) {
        return 0.0;
    }
    return std::clamp((value - m_low) / (m_high - m_low), 0.0, 1.0);
}

QColor ColorMap::colorFor(double value) const
{
    return at(positionOf(value));
}

QCPColorGradient ColorMap::gradient()
{
    QCPColorGradient gradient;
    gradient.clearColorStops();
    for (int i = 0; i < kAnchors; ++i) {
        gradient.setColorStopAt(double(i) / (kAnchors - 1), kViridis[i]);
    }
    gradient.setColorInterpolation(QCPColorGradient::ciRGB);
    return gradient;
}

double percentileOf(QVector<double> values, double percentile)
{
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
    if (values.isEmpty()) {
        return 0.0;
    }
    std::sort(values.begin(), values.end());
    const double rank = std::clamp(percentile, 0.0, 100.0) / 100.0 * double(values.size() - 1);
    const int below = int(std::floor(rank));
    const int above = std::min(below + 1, int(values.size()) - 1);
    return values[below] + (values[above] - values[below]) * (rank - below);
}

QColor categoricalColor(int index)
{
    constexpr int count = int(sizeof(kCategorical) / sizeof(kCategorical[0]));
    return kCategorical[((index % count) + count) % count];
}

} // namespace tau::widgets
