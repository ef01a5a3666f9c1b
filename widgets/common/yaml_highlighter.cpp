#include "widgets/common/yaml_highlighter.h"

namespace tau::widgets {

namespace {
QTextCharFormat coloured(const QColor& colour, bool bold = false, bool italic = false)
{
    QTextCharFormat format;
    format.setForeground(colour);
    format.setFontWeight(bold ? QFont::Bold : QFont::Normal);
    format.setFontItalic(italic);
    return format;
}
} // namespace

YamlHighlighter::YamlHighlighter(QTextDocument* document) : QSyntaxHighlighter(document)
{
    // Order matters: later rules paint over earlier ones, so comments come last.
    m_rules.append({QRegularExpression(QStringLiteral(R"(:\s*(-?[0-9][0-9.eE+-]*)\s*(#.*)?$)")),
                    coloured(QColor(152, 80, 0)), 1});
    m_rules.append({QRegularExpression(QStringLiteral(R"(:\s*(true|false|null)\b)")), coloured(QColor(120, 40, 160)), 1});
    m_rules.append({QRegularExpression(QStringLiteral(R"(^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:)")),
                    coloured(QColor(20, 80, 160), /*bold=*/true), 1});
    m_rules.append({QRegularExpression(QStringLiteral(R"((#.*)$)")), coloured(QColor(120, 120, 120), false, true), 1});
}

void YamlHighlighter::highlightBlock(const QString& text)
{
    for (const Rule& rule : m_rules) {
        auto matches = rule.pattern.globalMatch(text);
        while (matches.hasNext()) {
            const auto match = matches.next();
            setFormat(int(match.capturedStart(rule.group)), int(match.capturedLength(rule.group)), rule.format);
        }
    }
}

} // namespace tau::widgets
