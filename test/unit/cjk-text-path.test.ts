// Chinese, Japanese and Korean through the text path beyond search: sentences, the extractive floor's ranking
// and the grounding rails. Each describe is one defect of the old code, which its tests fail on:
// - the splitter waited for a space after a terminator, so a Chinese or Japanese passage was one sentence,
//   and a one-syllable Korean word before ". " was taken for an initial;
// - the tokenizer gave a run of CJK characters as one token, a whole clause no other sentence shares, so the
//   floor could not rank by title or centrality, and the rail's word overlap was near 0 for a faithful answer;
// - a figure right against CJK characters ("30日", "12,000元") was no figure, so a changed one passed; nor were
//   万/億 scales or 年月日 dates read; a Latin name against them ("Contoso社") was read with the whole run.
import { extractiveSummary } from '../../subgraph/features/extractive/summarize-extractive';
import { checkAnswer, checkSummary, supportOf } from '../../subgraph/guardrails/grounding';
import { snippetOf } from '../../subgraph/retrieval/snippet';
import { opensOnConnective } from '../../subgraph/text/connectives';
import { splitSentences } from '../../subgraph/text/sentences';

// A product FAQ (Japanese), a contract clause (Chinese), a meeting note (Korean), written for these tests.
const JA_FAQ_SENTENCES = [
  '返品はできますか？',
  '商品到着後30日以内であれば、未開封に限り返品を承ります。',
  '返品送料はお客様のご負担となります。',
  '「初期不良の場合はどうなりますか？」とよくご質問いただきます。',
  '初期不良の場合は、送料を当社が負担し、新品と交換いたします！',
  'Contoso社製の Pro プランの月額料金は3.5万円（税込）です。',
  'サポート窓口は平日9時から18時まで営業しています。',
];
const JA_FAQ = JA_FAQ_SENTENCES.join('');

const ZH_CONTRACT_SENTENCES = [
  '第五条 付款方式。',
  '甲方应于每月15日前向乙方支付服务费人民币12,000元。',
  '逾期付款的，每逾期一日，甲方应按未付金额的0.5%向乙方支付违约金！',
  '乙方收到款项后，应在3个工作日内开具发票。',
  '本合同有效期为两年，自2024年3月1日起至2026年2月28日止。',
];
const ZH_CONTRACT = ZH_CONTRACT_SENTENCES.join('');

const KO_MEETING_SENTENCES = [
  '회의록: 2024년 5월 14일 제품팀 주간 회의.',
  '김민준 팀장이 3분기 출시 일정을 공유했다.',
  '모바일 앱 출시는 7월 15일로 확정되었다!',
  '예산은 3.5억 원으로 승인되었다.',
  '다음 회의는 5월 21일 오전 10시에 열린다.',
];
const KO_MEETING = KO_MEETING_SENTENCES.join(' ');

const answerOutcome = (answer: string, source: string, policy: 'drop' | 'reject' = 'reject') =>
  checkAnswer(answer, [{ index: 1, text: source }], policy);

describe('splitSentences does not split Chinese and Japanese on 。！？', () => {
  it('splits a Japanese FAQ and a Chinese contract clause into their sentences', () => {
    expect(splitSentences(JA_FAQ)).toEqual(JA_FAQ_SENTENCES);
    expect(splitSentences(ZH_CONTRACT)).toEqual(ZH_CONTRACT_SENTENCES);
  });

  it('keeps a closing bracket or quote with its sentence, and a quotation the sentence goes on after', () => {
    expect(splitSentences('新機能を公開しました（詳細は別紙参照。）次の版は6月です。')).toEqual([
      '新機能を公開しました（詳細は別紙参照。）',
      '次の版は6月です。',
    ]);
    expect(splitSentences('他说：“我同意。”然后离开了。')).toEqual(['他说：“我同意。”', '然后离开了。']);
    expect(splitSentences('「本当ですか？」と部長が聞いた。はい。')).toEqual([
      '「本当ですか？」と部長が聞いた。',
      'はい。',
    ]);
  });

  it('splits on half-width and full-width forms, and on ASCII ! ? written against CJK text', () => {
    expect(splitSentences('在庫はありますか?はい、あります!明日発送します｡')).toEqual([
      '在庫はありますか?',
      'はい、あります!',
      '明日発送します｡',
    ]);
    expect(splitSentences('仕様を改訂した．次に試験を行う．')).toEqual([
      '仕様を改訂した．',
      '次に試験を行う．',
    ]);
  });

  it('does not split inside figures or versions', () => {
    expect(splitSentences('料金は３．５万円です。Ver.2の変更点は3.5節にあります。')).toEqual([
      '料金は３．５万円です。',
      'Ver.2の変更点は3.5節にあります。',
    ]);
  });
});

describe('splitSentences takes a one-syllable Korean word before ". " for an initial', () => {
  it('splits a Korean meeting note into its sentences', () => {
    expect(splitSentences(KO_MEETING)).toEqual(KO_MEETING_SENTENCES);
    expect(splitSentences('가격은 5만 원. 배송은 무료입니다.')).toEqual([
      '가격은 5만 원.',
      '배송은 무료입니다.',
    ]);
  });

  it('still keeps Latin initials inside their sentence', () => {
    expect(splitSentences('J. R. Tolkien wrote it. 그 책은 유명하다.')).toEqual([
      'J. R. Tolkien wrote it.',
      '그 책은 유명하다.',
    ]);
  });
});

describe('a Japanese passage is one sentence to the search snippet', () => {
  it('gives the sentence matching the query, not a window cut mid-sentence', () => {
    const filler = 'この段落は会議の議事録と予定についての一般的な説明を含んでいます。'.repeat(10);
    const tokyo = '東京都の人口は約1400万人です。';
    expect(snippetOf(`${filler}${tokyo}${filler}`, '人口')).toBe(tokyo);
  });
});

describe('the extractive floor ranks CJK sentences on whole clauses', () => {
  it("prefers the sentences that share the title's words", () => {
    const summary = extractiveSummary(ZH_CONTRACT, 40, '逾期违约金');
    expect(summary).toContain('违约金');
    for (const sentence of splitSentences(summary)) expect(ZH_CONTRACT_SENTENCES).toContain(sentence);
  });

  it('leaves out a greeting lead and an aside that share no word with the rest', () => {
    const note = [
      '皆さん、お疲れさまです。',
      '新製品Aの発売日は、部品の納期遅れにより6月10日から7月1日に延期します。',
      '発売日の延期について、営業部は主要顧客へ今週中に連絡します。',
      '延期に伴い、新製品Aの発売イベントも7月の第1週に移します。',
      'なお、3階の休憩室の電子レンジは来週交換されます。',
      '次回の会議では、新製品Aの発売準備の進捗を確認します。',
    ];
    const summary = extractiveSummary(note.join(''), 45);
    expect(summary).not.toContain('お疲れさま');
    expect(summary).not.toContain('電子レンジ');
    expect(summary).toContain('延期');
    for (const sentence of splitSentences(summary)) expect(note).toContain(sentence);
  });
});

describe('the extractive floor takes a sentence opening on しかし or 但是 without the one before it', () => {
  it('takes both or neither', () => {
    const report = [
      '新しい倉庫管理システムは4月に稼働しました。',
      '旧システムからのデータ移行では、商品マスタ、取引先マスタ、過去三年分の入出庫履歴、棚卸記録、返品記録を' +
        'すべて新しい形式に変換し、各拠点の担当者が一件ずつ確認したうえで本番環境に取り込みました。',
      'しかし、在庫数に誤差が見つかりました。',
      '在庫数の誤差は、倉庫管理システムの設定を見直して解消します。',
      '倉庫管理システムの操作研修は5月に行います。',
    ];
    for (const maxWords of [25, 30, 40]) {
      const summary = extractiveSummary(report.join(''), maxWords);
      if (summary.includes('しかし')) expect(summary).toContain('データ移行');
    }
    for (const opening of [
      '但是乙方未按时交付。',
      'しかし、在庫数に誤差がありました。',
      '하지만 예산이 부족하다.',
    ])
      expect(opensOnConnective(opening)).toBe(true);
    expect(opensOnConnective('但愿如此。')).toBe(false);
    expect(opensOnConnective('またの機会にお願いします。')).toBe(false);
  });
});

describe('the grounding rail does not see figures written against CJK characters', () => {
  it('passes a faithful Chinese summary and rejects a changed amount or rate', () => {
    expect(
      checkSummary('甲方应于每月15日前支付服务费人民币12,000元，逾期按0.5%支付违约金。', ZH_CONTRACT),
    ).toEqual({
      outcome: 'pass',
      missing: [],
    });
    expect(checkSummary('甲方应于每月15日前支付服务费人民币21,000元。', ZH_CONTRACT).missing).toEqual([
      { kind: 'number', text: '21,000' },
    ]);
    expect(checkSummary('逾期每日按未付金额的5%支付违约金。', ZH_CONTRACT).outcome).toBe('rejected');
  });

  it('drops a Japanese answer sentence with a changed number and keeps the faithful one', () => {
    const answer =
      '未開封の商品は到着後60日以内なら返品できます[1]。初期不良の場合、送料は当社が負担します[1]。';
    const check = answerOutcome(answer, JA_FAQ, 'drop');
    expect(check.outcome).toBe('fixed');
    expect(check.text).toBe('初期不良の場合、送料は当社が負担します[1]。');
    expect(check.dropped.map((dropped) => dropped.missing)).toEqual([[{ kind: 'number', text: '60' }]]);
  });

  it('rejects a changed Korean date or budget', () => {
    expect(answerOutcome('모바일 앱 출시는 7월 15일로 확정되었다 [1].', KO_MEETING).outcome).toBe('pass');
    expect(supportOf('모바일 앱 출시는 8월 15일로 확정되었다.', [KO_MEETING]).missing).toEqual([
      { kind: 'date', text: '8월 15일' },
    ]);
    expect(supportOf('예산은 5억 원으로 승인되었다.', [KO_MEETING]).missing).toEqual([
      { kind: 'number', text: '5억' },
    ]);
  });
});

describe('the grounding rail reads no 万/億 scale and no 年月日 date', () => {
  it('reads 3.5万 as 35,000 and tells 万 from 億', () => {
    expect(checkSummary('Pro プランの月額料金は35,000円です。', JA_FAQ).outcome).toBe('pass');
    expect(checkSummary('Pro プランの月額料金は3.5億円です。', JA_FAQ).missing).toEqual([
      { kind: 'number', text: '3.5億' },
    ]);
    expect(checkSummary('예산은 350,000,000원이다.', KO_MEETING).outcome).toBe('pass');
  });

  it('rejects a changed day whose figure the source states elsewhere', () => {
    expect(checkSummary('合同自2024年3月1日起生效。', ZH_CONTRACT).outcome).toBe('pass');
    expect(checkSummary('合同自2024年3月2日起生效。', ZH_CONTRACT).missing).toEqual([
      { kind: 'date', text: '2024年3月2日' },
    ]);
  });
});

describe('the grounding rail reads a Latin name with the CJK run it stands against', () => {
  it('passes a name the source states and rejects one it does not', () => {
    expect(checkSummary('Pro プランはContoso社の製品です。', JA_FAQ).outcome).toBe('pass');
    expect(checkSummary('Pro プランはFabrikam社の製品です。', JA_FAQ).missing).toEqual([
      { kind: 'name', text: 'Fabrikam' },
    ]);
  });
});

describe('the grounding rail compares CJK words as whole clauses', () => {
  it('passes a faithful Japanese paraphrase and drops a sentence about something else', () => {
    expect(answerOutcome('未開封の商品は、到着から30日以内なら返品できます[1]。', JA_FAQ).outcome).toBe(
      'pass',
    );
    expect(answerOutcome('平日のサポートは9時から18時までです[1]。', JA_FAQ).outcome).toBe('pass');
    const offTopic = answerOutcome('当社の本社は大阪にあり、従業員は全員リモートで働いています[1]。', JA_FAQ);
    expect(offTopic.dropped.map((dropped) => dropped.reason)).toEqual(['low-overlap']);
  });

  it('passes a faithful Chinese answer', () => {
    expect(answerOutcome('乙方应在收到款项后3个工作日内开具发票 [1]。', ZH_CONTRACT).outcome).toBe('pass');
  });

  it('keeps the voicing marks of kana: パス is not バス', () => {
    expect(supportOf('駅前からパスで10分です。', ['駅前からバスで10分です。']).score).toBeLessThan(1);
  });
});
