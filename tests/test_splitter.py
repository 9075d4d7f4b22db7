"""Cutting whole articles into cases: one test per failure family of issue 13, on texts written here."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from regwatch.classifiers import EnforcementClassifier


@pytest.fixture(scope="module")
def clf() -> EnforcementClassifier:
    return EnforcementClassifier()


NESTED = """近日，江苏省南京市公安局网安支队公布一批网络安全行政执法典型案例。
一、未履行网络安全保护义务类
1. 南京某物业公司门禁管理系统存在弱口令，导致业主信息泄露。公安机关依法对该公司予以警告。
2. 某培训学校报名系统未采取防范攻击的技术措施，网页被篡改。公安机关依法对该学校罚款一万元。
3. 某医药连锁店会员系统未留存网络日志。警方依法责令该店限期整改。
二、未落实实名登记类
1. 某网吧未落实上网人员实名登记制度，公安机关对其处以警告。
2. 某宾馆无线网络未登记用户身份信息，公安机关对该宾馆罚款五千元。
3. 某快递网点未核验寄件人身份，公安机关责令该网点改正并罚款三千元。
"""


def test_nested_numbering_gives_every_inner_item(clf):
    result = clf.classify("南京公安公布典型案例", NESTED)
    assert len(result.cases) == 6
    assert [c.fine_org_yuan for c in result.cases] == [None, 10000, None, None, 5000, 3000]
    assert all(c.province == "江苏" and c.authority == "公安" for c in result.cases)


UNNUMBERED = """近日，浙江省杭州市公安局公布三起侵犯公民个人信息行政案件。
2024年3月，杭州某房产中介公司员工将客户姓名、电话等信息发给他人用于推销。该公司未建立个人信息保护制度。杭州市公安机关已依法对其处以行政处罚。
2024年5月，某物流公司分拣站点未对快递面单信息采取保护措施，导致大量面单外流。属地公安机关已依法对其作出行政处罚。
2024年6月，某健身会所将会员资料存放于无密码的共享文件夹中，被他人下载。区公安分局已依法对该会所予以警告。
"""


def test_unnumbered_one_paragraph_per_case(clf):
    result = clf.classify("杭州公安公布三起案件", UNNUMBERED)
    assert len(result.cases) == 3
    assert [c.industry for c in result.cases][1] == "交通运输"


ONE_CASE_PARAGRAPHS = """近日，四川省成都市武侯区网信办依法对某信息技术有限公司进行行政处罚。
经依法查明，该公司开发的办公系统存在高危漏洞，导致系统内的人员数据被境外IP访问，未履行数据安全保护义务。
依据《中华人民共和国数据安全法》第四十五条规定，武侯区网信办对该公司作出警告并处罚款五万元的行政处罚。
该公司负责人表示将立即整改。
"""


def test_one_case_told_in_several_paragraphs_stays_one(clf):
    result = clf.classify("成都武侯区网信办处罚一公司", ONE_CASE_PARAGRAPHS)
    assert len(result.cases) == 1
    case = result.cases[0]
    assert case.fine_org_yuan == 50000 and {"警告", "罚款"} <= set(case.penalties)
    assert "数据安全法:45" in case.statutes


PUFA = """日前，湖南省长沙市开福区网信办根据线索，发现辖区某科技公司运营的网站存在未授权访问漏洞，大量用户数据面临泄露风险。
区网信办依法约谈该公司负责人，责令其立即整改，并对存在的问题进行全面排查。该公司已完成整改。
网络普法
《中华人民共和国网络安全法》第二十一条规定：国家实行网络安全等级保护制度。网络运营者应当按照网络安全等级保护制度的要求，履行安全保护义务。
第五十九条 网络运营者不履行本法第二十一条、第二十五条规定的网络安全保护义务的，由有关主管部门责令改正，给予警告；拒不改正或者导致危害网络安全等后果的，处一万元以上十万元以下罚款，对直接负责的主管人员处五千元以上五万元以下罚款。
"""


def test_single_district_summons_followed_by_legal_section(clf):
    result = clf.classify("开福区网信办约谈一公司", PUFA)
    assert result.is_enforcement and len(result.cases) == 1
    case = result.cases[0]
    assert case.authority == "网信" and case.province == "湖南"
    assert set(case.penalties) == {"约谈", "责令改正"}  # the quoted 警告 / 罚款 is no decision
    assert case.fine_org_yuan is None and case.fine_person_yuan == []


def test_legal_section_items_are_no_cases(clf):
    text = ("某市公安局网安支队公布两起案件。\n案例一：某公司网站存在漏洞，公安机关对该公司予以警告。\n"
            "案例二：某学校系统遭篡改，公安机关对该学校罚款一万元。\n【法条链接】\n"
            "1. 网络运营者不履行安全保护义务的，由有关主管部门责令改正，给予警告。\n"
            "2. 拒不改正的，处一万元以上十万元以下罚款。\n")
    result = clf.classify("", text)
    assert len(result.cases) == 2
    assert result.cases[1].fine_org_yuan == 10000


def test_court_judgment_commentary_is_enforcement(clf):
    text = ("一名程序员利用职务便利窃取公司用户数据并出售的案件近日宣判。判决书显示，2022年至2023年间，"
            "被告人周某在某软件公司任运维工程师期间，多次导出用户手机号、住址等信息出售给他人，获利十余万元。"
            "周某与买家李某已分别获刑，周某被判处有期徒刑三年，并处罚金五万元。")
    result = clf.classify("程序员倒卖用户数据获刑", text)
    assert result.is_enforcement and len(result.cases) == 1
    assert result.cases[0].authority == "法院"
    assert "刑事处罚" in result.cases[0].penalties


PROCURATORATE = """近日，广东省人民检察院发布个人信息保护公益诉讼典型案例。
案例一：某电商平台违规收集用户个人信息公益诉讼案。检察机关调查发现，该平台超范围收集用户通讯录信息。深圳市某区人民检察院向相关行政机关发出检察建议，督促其依法对该平台进行查处，该平台已完成整改。
案例二：某快递公司泄露寄件人信息民事公益诉讼案。检察机关查明，该公司员工出售面单信息。佛山市人民检察院对该公司提起民事公益诉讼，法院判决该公司赔礼道歉并承担赔偿责任。
"""


def test_procuratorate_public_interest_roundup(clf):
    result = clf.classify("广东检察发布公益诉讼典型案例", PROCURATORATE)
    assert result.is_enforcement and len(result.cases) == 2
    assert result.cases[0].authority == "检察院"
    assert all(c.province == "广东" for c in result.cases)


def test_foreign_state_regulator_named_only_in_chinese_is_no_case(clf):
    text = ("纽约州金融服务局日前宣布，对一家保险公司处以罚款，原因是该公司员工邮箱遭钓鱼攻击后客户数据外泄，"
            "且未及时报告。该局表示，将继续审查金融机构的网络安全合规情况。")
    result = clf.classify("加州隐私机构罚款一汽车企业", text)
    assert not result.is_enforcement


def test_eu_body_without_foreign_word_is_no_case(clf):
    text = "卢森堡国家数据保护委员会认定某电商平台处理用户数据违规，对该平台处以罚款，并责令其限期整改。"
    assert not clf.classify("数据保护机构开出罚单", text).is_enforcement


def test_new_enforcement_procedure_rules_are_no_case(clf):
    text = ("国家互联网信息办公室近日公布《网信部门行政执法程序规定》，自下月起施行。规定明确，网信部门对违法行为"
            "可以依法采取约谈、责令改正、警告、罚款等措施；作出较大数额罚款的行政处罚决定前，应当告知当事人"
            "有要求听证的权利。")
    assert not clf.classify("网信部门行政执法程序规定公布", text).is_enforcement


def test_explain_shows_outline_and_cuts():
    from regwatch.app.commands.classify import classify_cmd

    runner = CliRunner()
    with runner.isolated_filesystem():
        with open("a.txt", "w", encoding="utf-8") as f:
            f.write("南京公安公布典型案例\n" + NESTED)
        out = runner.invoke(classify_cmd, ["--plain", "--explain", "a.txt"])
    assert out.exit_code == 0, out.output
    assert "outline:" in out.output and "level 一、: 2 items" in out.output
    assert "holds 3 cases: descend" in out.output
    assert out.output.count("\ncase ") == 6


def test_group_decision_on_unnamed_organisations_is_no_case(clf):
    text = ("近日，县公安局联合文化部门对城区网吧开展检查。检查中，公安机关对5家未落实实名登记的网吧"
            "给予治安处罚，文化部门对2家网吧给予行政处罚。")
    assert not clf.classify("县城开展网吧联合检查", text).is_enforcement


def test_group_decision_with_a_named_organisation_is_a_case(clf):
    text = ("6月，某市公安局网安大队发现某连锁酒店管理有限公司等4家酒店的住客信息系统存在漏洞。"
            "该局依据《数据安全法》相关规定，对4家酒店依法给予警告，责令立即整改。")
    result = clf.classify("", text)
    assert result.is_enforcement and {"警告", "责令改正"} <= set(result.cases[0].penalties)


def test_provision_wording_is_no_decision(clf):
    text = ("第十八条 违反本办法规定，有下列行为之一的，由县级以上公安机关给予警告，责令限期改正；"
            "逾期不改正的，对单位处以一万元以下罚款。")
    assert not clf.classify("某办法罚则", text).is_enforcement


def test_round_up_item_named_as_a_case_is_kept_though_cut_short(clf):
    text = ("某市网警公布典型案例如下：\n一、某物流公司不履行网络安全保护义务案\n"
            "2024年5月，网安部门发现该公司系统存在弱口令。警方依法对该公司处以警告。\n"
            "二、某诊所未落实数据安全保护义务案\n2024年6月，网安部门发现该诊所数据库未设置密码，")
    result = clf.classify("", text)
    assert len(result.cases) == 2 and result.cases[0].penalties == ["警告"]


def test_headings_with_commas_start_items(clf):
    text = ("近期数据安全事件盘点\n"
            "某平台被曝泄露用户数据，官方尚未回应\n有网友称某平台数据在境外论坛出售，平台未作回应。\n"
            "倒卖业主信息，物业员工获刑\n5月，某区人民法院以侵犯公民个人信息罪判处物业公司员工张某有期徒刑一年。\n"
            "系统存在漏洞，一公司被罚\n6月，某市网信办对某科技公司处以警告并罚款三万元。\n")
    result = clf.classify("", text)
    assert [c.authority for c in result.cases] == ["法院", "网信"]
    assert result.cases[1].fine_org_yuan == 30_000


def test_fines_split_between_organisation_and_person_in_one_clause(clf):
    text = "县公安局依据《网络安全法》第五十九条，对该公司及直接负责的主管人员李某分别予以罚款二万元和八千元。"
    case = clf.classify("", text).cases[0]
    assert case.fine_org_yuan == 20_000 and case.fine_person_yuan == [8_000]


def test_campaign_totals_give_no_penalties_to_the_case(clf):
    text = ("今年以来，全市网信部门累计约谈网站平台120家，下架移动应用程序35款。\n"
            "其中，针对某资讯平台多次传播违法信息的问题，市网信办依法约谈该平台负责人，责令其限期整改。")
    case = clf.classify("", text).cases[0]
    assert set(case.penalties) == {"约谈", "责令改正"}


def test_items_whose_marker_names_a_case_are_never_merged(clf):
    # each 案例N item opens with 经调查 (a word that otherwise continues the case before)
    text = ("某县网信办通报两起典型案例：\n"
            "案例一：经调查，某印刷有限公司网站长期无人维护，被植入赌博链接。县网信办依法对该公司给予警告。\n"
            "案例二：经调查，某建材有限公司未落实网络安全保护义务，网站被篡改。县网信办依法对该公司给予警告。\n")
    result = clf.classify("", text)
    assert len(result.cases) == 2 and all(c.penalties == ["警告"] for c in result.cases)


def test_referring_back_item_that_names_a_new_party_is_a_new_case(clf):
    text = ("某市公安局网安支队公布执法情况：\n"
            "1. 某物流有限公司系统存在高危漏洞，网安支队依法对该公司罚款一万元。\n"
            "2. 经查，某口腔诊所预约系统未设访问控制，网安支队依法对该诊所给予警告。\n"
            "3. 该诊所负责人表示将立即整改。\n")
    result = clf.classify("", text)
    assert [c.fine_org_yuan for c in result.cases] == [10000, None]


def test_numbered_title_runs_on_into_the_item_text(clf):
    # the second item is cut short before its decision; its first sentence names it as a case
    text = ("现将近期查处的典型案例发布如下。\n"
            "1.某省某电子商务有限公司数据泄露案。网信部门发现，该企业后台弱口令导致订单数据泄露，"
            "属地网信办依法责令其改正，并予以警告。\n"
            "2.某市某人力资源服务有限公司违法处理个人信息案。网信部门发现，该企业超范围收集求职者信息，")
    result = clf.classify("", text)
    assert len(result.cases) == 2 and sorted(result.cases[0].penalties) == ["警告", "责令改正"]


def test_parallel_numbered_item_cut_short_counts_when_others_hold_decisions(clf):
    text = ("典型案例\n"
            "1、“快拍相册”APP未经同意收集通讯录，经某区公安分局调查，对运营企业处以警告。\n"
            "2、“轻松记账”APP超范围收集位置信息，经某区公安分局调查，对运营企业处以警告。\n"
            "3、“随心听书”APP未公开收集规则，经某区公安分局受案调查，依据有关规定，对运营企业处以行政")
    assert len(clf.classify("", text).cases) == 3


def test_court_article_told_under_part_headings_is_one_case(clf):
    text = ("某区人民法院近日审结一起侵犯公民个人信息案。\n案情回顾\n"
            "2024年3月起，王某某利用在物流公司任职的便利，导出客户面单信息出售给他人。\n"
            "同年6月，王某某被公安机关抓获。\n法院审理\n"
            "某区人民法院经审理认为，王某某的行为构成侵犯公民个人信息罪，判处有期徒刑一年，并处罚金五千元。\n")
    result = clf.classify("", text)
    assert len(result.cases) == 1 and result.cases[0].authority == "法院"


def test_sentence_broken_over_lines_is_no_heading(clf):
    text = ("为落实网络安全等级保护制度，\n某县公安局网安大队近日开展执法检查。\n案例一\n2024年4月，\n"
            "网安大队检查发现某酒店上网服务系统未留存日志，依法对该酒店给予警告。\n案例二\n2024年5月，\n"
            "网安大队检查发现某驾校报名网站存在漏洞，依法对该驾校给予警告。\n")
    assert len(clf.classify("", text).cases) == 2


@pytest.mark.parametrize("text", [
    # a 裁量基准 announcement: conditions followed by their consequences
    "省公安厅发布裁量基准。初次违反规定且未造成后果的，责令改正，给予警告；拒不改正的，对运营者处一万元以上五万元以下罚款。",
    # a national total of people acted against
    "2023年，全国检察机关共批准逮捕涉嫌侵犯公民个人信息犯罪嫌疑人6800余人，起诉1.1万余人。",
])
def test_provisions_and_counted_totals_are_no_case(clf, text):
    assert not clf.classify("", text).is_enforcement


def test_an_internet_cafe_penalised_without_the_penalty_named_is_a_case(clf):
    text = "民警检查发现该网吧允许未出示身份证的顾客上网，依法对网吧进行了处罚。"
    result = clf.classify("一网吧违规受罚", text)
    assert result.is_enforcement and result.cases[0].authority == "公安"


def test_decisions_on_an_unnamed_batch_of_units_are_no_case(clf):
    text = ("专项行动以来，城关公安分局依法对一批未落实安全保护义务的网络运营单位作出处罚。"
            "网安大队对经责令整改仍未落实的3家单位依法作出罚款处罚，对情节较轻的5家单位予以约谈。")
    assert not clf.classify("", text).is_enforcement


def test_decision_on_responsible_persons_of_an_unnamed_group_of_apps_stays_a_case(clf):
    text = ("公安网安部门检查发现8款APP超范围收集个人信息。属地警方分别对涉事运营单位予以警告，"
            "对部分直接负责的主管人员予以罚款处罚。")
    assert clf.classify("", text).is_enforcement


@pytest.mark.parametrize("text", [
    "近日，某市公安局网安支队破获一起非法出售快递面单信息案，该团伙已被移送起诉。",
    "近日，某省公安网安部门查明，周某某为博取流量编造“某地发生重大疫情”的谣言信息并在短视频平台发布。",
    "网信部门给予某市家政服务行业协会行政警告处罚，责令其公众号暂停更新七日。",
])
def test_solved_cases_established_facts_and_associations_are_cases(clf, text):
    assert clf.classify("", text).is_enforcement


def test_traditional_characters_are_read_as_simplified(clf):
    text = ("網警發布典型案例：\n案例一：某科技有限公司網站存在高危漏洞，公安機關依法對該公司處以警告並罰款一萬元。\n"
            "案例二：某物業公司監控系統使用弱口令，公安機關依法對該公司予以警告。\n")
    result = clf.classify("網安部門通報兩起案例", text)
    assert [c.fine_org_yuan for c in result.cases] == [10000, None]
    assert all(c.authority == "公安" for c in result.cases)


def test_simplified_text_with_a_character_opencc_would_touch_stays_as_written(clf):
    text = "某公司网站覆盖全省用户，公安机关依法对该公司予以警告。"
    assert clf.simplified(text) == text


def test_parallel_actions_in_one_paragraph_are_separate_cases(clf):
    text = ("某市网信办依法查处一批违法违规行为。\n依法查处未履行主体责任的行为\n"
            "针对某资讯网站传播违法信息，责令该网站暂停更新10天；针对某科技有限公司网站被篡改，对该公司作出警告处罚；"
            "针对微信公众号“城事速递”违规转载新闻信息，责令该账号限期整改。\n")
    result = clf.classify("", text)
    assert len(result.cases) == 3
    assert "暂停业务" in result.cases[0].penalties and result.cases[1].penalties == ["警告"]


def test_a_court_case_under_bracketed_part_headings_is_one_case(clf):
    text = ("【案情】\n被告人赵某某系某电子公司工程师，在公司服务器中植入破坏程序，致系统瘫痪。\n"
            "【审判】\n某区人民检察院以破坏计算机信息系统罪提起公诉。某区人民法院判处赵某某有期徒刑一年六个月。\n")
    assert len(clf.classify("赵某某破坏计算机信息系统案", text).cases) == 1


@pytest.mark.parametrize("text, penalties", [
    ("网信部门责令相关网站平台对账号“某某说事”予以关闭。", ["关闭网站或下架"]),
    ("经查，“每日快讯”等账号多次发布不实信息，相关账号已依法予以封禁。", ["关闭网站或下架"]),
    ("省网信办决定对该网站处以关停7天的处罚。", ["暂停业务"]),
    ("网信部门对该公司给予警告处罚,责令整改,停止网站用户注册10天。", ["暂停业务", "警告", "责令改正"]),
    # sites named in quotes before their kind
    ("其中，某省网信办关闭“某某影院”“某某视频”等色情类网站12家。", ["关闭网站或下架"]),
])
def test_closures_suspensions_and_orders(clf, text, penalties):
    result = clf.classify("", text)
    assert sorted(result.cases[0].penalties) == sorted(penalties)


def test_province_is_where_the_acting_unit_is_not_where_an_expert_works(clf):
    text = ("本期邀请北京某大学法学院教授解读典型案例。2025年4月，云南公安机关网安部门查明某科技有限公司APP泄露公民个人信息。"
            "当地公安机关已依法对该公司予以行政处罚并责令限期改正。")
    assert clf.classify("", text).cases[0].province == "云南"


def test_a_title_that_states_the_case_counts_when_the_text_stops_short(clf):
    text = ("李某是某县一名银行柜员。2022年起，她利用帮客户操作手机的机会记下验证码，出售给他人牟利。"
            "直到2024年4月，一位老人报警，警方很快查到了李某。")
    result = clf.classify("某县检察院办理一起侵犯公民个人信息案", text)
    assert result.is_enforcement and result.cases[0].authority == "检察院"


def test_a_title_naming_no_decision_adds_no_case(clf):
    assert not clf.classify("银行柜员的“外快”", "李某是某县一名银行柜员，近来常帮客户操作手机。").is_enforcement


def test_sections_of_a_penalty_notice_are_one_case(clf):
    text = ("某市网信办依法对某科技有限公司违法处理个人信息案作出行政处罚。\n"
            "一、案件来源\n网民举报某科技有限公司App频繁推送营销短信。\n"
            "二、查明的违法事实\n经查，该公司未经用户同意向第三方提供手机号码。\n"
            "三、处罚决定\n市网信办对该公司作出责令改正、罚款50万元的行政处罚。\n"
            "四、整改情况\n该公司已关闭相关接口，并已缴纳罚款。\n")
    result = clf.classify("", text)
    assert len(result.cases) == 1 and result.cases[0].fine_org_yuan == 500_000


def test_a_district_named_by_its_short_form_before_an_actor_gives_its_province(clf):
    text = "近日，朔城公安分局网安大队依法对某医院予以罚款15000元。"
    assert clf.classify("", text).cases[0].province == "山西"


def test_a_title_that_says_what_may_happen_is_no_case(clf):
    text = "《网络安全法》第五十九条规定，网络运营者不履行安全保护义务的，由有关主管部门责令改正，给予警告。"
    assert not clf.classify("网站有漏洞或被约谈或被罚款", text).is_enforcement


def test_a_body_that_only_assists_is_not_the_authority(clf):
    text = ("6月，省网信办开展专项行动。\n"
            "会同省通信管理局对“某某棋牌”等30家违法网站依法关闭。对“某某资讯网”负责人约谈，责令全面整改。\n")
    assert clf.classify("", text).cases[0].authority == "网信"


def test_dated_stories_of_an_unnumbered_round_up_are_separate_cases(clf):
    text = ("今年以来，全省公安机关网安部门严厉打击侵犯公民个人信息犯罪。\n典型案例\n"
            "今年3月，某市公安机关网安部门成功侦破一起通过境外聊天工具贩卖公民个人信息的案件，抓获数据中介人员8名。\n"
            "今年4月，某县公安局网安大队发现，有网民通过互联网大量贩卖公民个人信息，遂立案侦查，并成功将其抓获。\n")
    assert len(clf.classify("", text).cases) == 2


def test_a_dated_follow_up_of_the_same_case_stays_with_it(clf):
    text = ("2024年3月，某县网安大队检查发现某物流站点系统存在高危漏洞，责令限期整改。\n"
            "2024年5月，复查发现仍未整改，网安大队依法对该站点予以警告。\n")
    assert len(clf.classify("", text).cases) == 1


@pytest.mark.parametrize("text", [
    "国家网信办有关负责人表示，出台规定旨在规范网信部门行政处罚行为。",
    "违法行为不具有从轻或者从重处罚情形的，应当给予一般处罚。",
])
def test_a_spokesperson_and_what_ought_to_be_done_are_no_case(clf, text):
    assert not clf.classify("", text).is_enforcement


def test_pinyin_notes_of_a_mirror_site_are_read_through(clf):
    """Mirror sites write the reading after characters (网(wǎng)警); the rules must see 网警."""
    text = ("案例一：2022年5月，某县网(wǎng)警在检(jiǎn)查中发(fā)现某物流公司系统存在漏洞，"
            "县网(wǎng)警依法对该公司处以警告。\n"
            "案例二：某市网(wǎng)警发(fā)现某酒店未留存日志，依法对该酒店罚款五千元。\n")
    result = clf.classify("", text)
    assert [c.authority for c in result.cases] == ["公安", "公安"]
    assert [c.fine_org_yuan for c in result.cases] == [None, 5000]


POSTER = "\n".join([
    "手机号码", "是我们的第二张身份证", "可总有人", "拿它做起了买卖", "案情回顾", "近日", "浙江某县网安部门", "在工作中发现",
    "有人在网上出售手机卡", "民警迅速出击", "将嫌疑人张某抓获", "处罚结果", "目前", "根据相关法律法规", "公安机关依法对张某",
    "处以行政拘留十日", "并处罚款两千元", "法条链接", "《中华人民共和国网络安全法》第二十四条",
    "网络运营者为用户办理网络接入、入网手续，应当要求用户提供真实身份信息。"])


def test_a_poster_text_with_a_phrase_per_line_is_read_as_paragraphs(clf):
    """WeChat posters put every phrase on a line; the decision spans three lines and must stay one
    sentence (not be cut off as a 普法 section at 根据相关法律法规)."""
    result = clf.classify("", POSTER)
    assert len(result.cases) == 1
    assert {"行政拘留", "罚款"} <= set(result.cases[0].penalties)
    assert result.cases[0].fine_person_yuan == [2000] and result.cases[0].province == "浙江"


def test_headings_of_an_ordinary_article_are_not_rejoined(clf):
    text = NESTED
    assert clf.splitter.rejoin(text) == text


def test_dated_stories_each_told_by_its_own_local_unit_are_cases(clf):
    """An unnumbered round-up whose dated paragraphs name no party, each with its own county body."""
    text = ("近日，某市各县区网信办依法处置一批网上传播谣言的行为。\n"
            "5月3日，东山县网信办依法对在微信群内散布不实信息的群主进行了约谈，责令删除相关信息。\n"
            "5月6日，西河区公安分局依法对在短视频平台编造灾情的博主处以行政拘留五日。\n"
            "5月9日，南湖区网信办依法对发布虚假招聘信息的群成员进行了约谈警告。\n")
    result = clf.classify("", text)
    assert [c.authority for c in result.cases] == ["网信", "公安", "网信"]
    assert [("行政拘留" in c.penalties) for c in result.cases] == [False, True, False]


def test_a_dated_second_paragraph_of_the_same_unit_continues_its_case(clf):
    text = ("3月2日，东山县网信办发现某科技公司网站传播违法信息，依法对该公司进行约谈。\n"
            "3月9日，东山县网信办复查发现问题仍未整改，依法对其作出警告处罚。\n")
    assert len(clf.classify("", text).cases) == 1


def test_a_long_case_title_line_heads_its_case(clf):
    """Case titles of a 市场监管 notice run past a short heading's length."""
    text = ("某市市场监督管理局公布一批个人信息保护典型案例。\n"
            "某某商贸有限公司未经消费者同意擅自使用人脸识别设备收集消费者个人信息案\n"
            "2023年4月，东区市场监督管理局依法对该公司作出警告并罚款十万元的行政处罚。\n"
            "某某物业服务有限公司泄露业主个人信息案\n"
            "东区市场监督管理局执法人员检查发现该公司员工出售业主信息，依法对该公司罚款五万元。\n")
    result = clf.classify("", text)
    assert [c.fine_org_yuan for c in result.cases] == [100000, 50000]
    assert all(c.authority == "市场监管" for c in result.cases)


def test_the_heading_item_a_copy_ends_in_is_a_case_when_it_names_a_party(clf):
    """Stored copies stop at about 1,500 characters: the last item of a headed round-up may stop
    before its decision; the others hold theirs."""
    text = ("某市网安部门公布一批未履行网站备案义务的行政执法案例。\n"
            "某某信息有限公司\n未履行网站备案职责\n"
            "近期，东区网安支队在巡查中发现，某某信息有限公司运营的网站未履行备案职责。东区网安支队依法对该公司处以警告。\n"
            "某某商贸有限公司\n网站备案超期\n"
            "近期，西区网安支队发现某某商贸有限公司网站被抢注。西区网安支队依法对该公司处以警告，关闭网站。\n"
            "某某咨询有限公司\n不履行备案职责\n"
            "近期，南区网安支队在巡查中发现，某某咨询有限公司运营的网站在联网后30日内未履行备案。\n")
    assert len(clf.classify("", text).cases) == 3
    middle = text.replace("西区网安支队依法对该公司处以警告，关闭网站。", "").replace("未履行备案。\n", "未履行备案。南区网安支队依法对该公司处以警告。\n")
    assert len(clf.classify("", middle).cases) == 2  # a heading item inside the text without a decision is none


def test_bare_number_lines_head_their_cases(clf):
    text = ("近期，某市公安局网安部门依法处罚多家不履行网络安全保护义务的企业。\n01\n"
            "某科技有限公司网站出现涉赌信息。东城分局依法责令该公司整改并给予警告。\n02\n"
            "某科贸有限公司网站存在SQL注入漏洞。密云分局依法责令该公司整改并给予警告。\n")
    assert len(clf.classify("", text).cases) == 2


def test_a_paragraph_of_clauses_each_opened_by_its_own_body_is_a_round_up(clf):
    text = ("某省公安厅公布3起打击网络谣言典型案例：郑州市公安机关侦破某传媒公司账号“城事说”编造网络谣言案，"
            "依法对该公司负责人熊某采取刑事强制措施；周口公安机关查处李某编造交通事故谣言案，依法对李某处以行政拘留处罚；"
            "新乡公安机关侦破张某等人“网络水军”案，张某等三人已被人民法院依法判处有期徒刑。\n")
    result = clf.classify("", text)
    assert [("行政拘留" in c.penalties) for c in result.cases] == [False, True, False]


def test_a_case_told_in_sentences_by_one_body_is_not_cut_at_each_sentence(clf):
    text = "东城分局网安支队检查发现某科技有限公司网站存在漏洞；东城分局依法对该公司给予警告。\n"
    assert len(clf.classify("", text).cases) == 1


def test_sentences_each_opened_by_another_police_unit_are_cases(clf):
    text = ("今年以来，某市公安网安部门共破获涉网犯罪案件500余起。东山县公安局网安大队侦破“吴某某侵犯公民个人信息案”，"
            "抓获犯罪嫌疑人7名。临河市公安局网安大队侦破“郭某某侵犯公民个人信息案”，抓获犯罪嫌疑人3名。"
            "南城区公安分局网安大队侦破“王某某组织考试作弊案”，抓获犯罪嫌疑人5名。\n")
    assert len(clf.classify("", text).cases) == 3
    one = "东山县公安局网安大队发现某公司网站存在漏洞。东山县公安局网安大队依法对该公司给予警告。\n"
    assert len(clf.classify("", one).cases) == 1


def test_a_lead_of_campaign_totals_is_no_case_before_the_one_told(clf):
    text = ("今年以来，绍兴警方开展“净网”专项行动，已依法查处发布网络谣言的网民391名。\n"
            "今年2月，警方发现有人在境外网站出售公民个人信息。\n"
            "东城警方接此线索后成立专案组，4月9日将犯罪嫌疑人谢某贤抓获归案。谢某贤已被检察院依法提起公诉。\n")
    assert len(clf.classify("", text).cases) == 1


def test_examples_after_totals_told_by_other_units_are_cases(clf):
    text = ("今年以来，全省公安机关共侦破网络违法犯罪案件3367起。\n"
            "全省共侦破黑客类案件37起。其中，东江警方侦破“5·19”提供非法控制计算机信息系统程序案，抓获犯罪嫌疑人6名。\n"
            "全省共侦破侵犯公民个人信息案件147起。其中，西岭警方侦破“12·21”侵犯公民个人信息案，抓获犯罪嫌疑人8名。\n")
    assert len(clf.classify("", text).cases) == 2


def test_inline_items_of_one_paragraph_are_cases(clf):
    text = ("今年以来，市网信办依法查处多起违法违规案件：一是某资讯网站违规转载新闻信息，市网信办依法对该网站作出警告处罚；"
            "二是某科技公司App违规收集个人信息，市网信办依法对该公司罚款5万元；"
            "三是微信公众号“城事速递”发布谣言，市网信办依法关闭该账号。\n")
    result = clf.classify("", text)
    assert [c.penalties for c in result.cases] == [["警告"], ["罚款"], ["关闭网站或下架"]]


def test_a_masked_authority_in_the_lead_is_no_target(clf):
    """某市网安部门 is the body that acts, not a party: the lead of a bullet list is no case."""
    text = ("近日，某市网安部门公布一批行政处罚案例。\n"
            "● 某科技有限公司网站存在SQL注入漏洞，公安机关依法对该公司给予警告。\n"
            "● 某物业公司门禁系统使用弱口令，公安机关依法对该公司罚款一万元。\n")
    assert [c.fine_org_yuan for c in clf.classify("", text).cases] == [None, 10000]


def test_a_case_passed_from_one_kind_of_body_to_another_stays_one(clf):
    text = ("6月12日，北区网信办在巡查中发现，微信公众号“北区热点”发布不实信息。\n"
            "6月13日，北区网信办依法约谈该公众号运营者，责令其删除相关内容。\n"
            "6月15日，北区公安分局依法对该公众号运营者刘某处以行政拘留5日。\n")
    result = clf.classify("", text)
    assert len(result.cases) == 1 and {"约谈", "行政拘留"} <= set(result.cases[0].penalties)


def test_a_lead_that_counts_its_cases_is_cut_at_each_party_told(clf):
    text = ("近日，某县人民法院宣判两起帮助信息网络犯罪活动案件，分别判处被告人杨某有期徒刑一年，乔某有期徒刑十个月。\n"
            "2021年8月，被告人乔某将自己名下16张银行卡出借给他人使用。\n"
            "某县人民法院认为，被告人乔某构成帮助信息网络犯罪活动罪。\n"
            "2021年4月至5月，杨某将其名下的6张银行卡提供给他人用于支付结算。\n")
    assert len(clf.classify("", text).cases) == 2
    one = text.replace("宣判两起帮助信息网络犯罪活动案件，", "宣判一起帮助信息网络犯罪活动案，")
    assert len(clf.classify("", one).cases) == 1  # two defendants of one case


@pytest.mark.parametrize("first, second", [("一.", "二."), ("❶", "❷"), ("⑴", "⑵"), ("⒈", "⒉")])
def test_more_list_markers_head_cases(clf, first, second):
    text = (f"某市网安部门公布两起案例。\n{first}某公司网站被植入暗链，公安机关依法对该公司给予警告。\n"
            f"{second}某学校网站存在漏洞，公安机关依法对该学校罚款五千元。\n")
    families = [line.family for line in clf.splitter.lines(text)][1:]
    assert families[0] is not None and families == [families[0]] * 2
    assert len(clf.classify("", text).cases) == 2


def test_parallel_对_clauses_of_one_paragraph_are_cases(clf):
    text = ("本月，省网信办依法查处一批违法违规网站和账号。经核查，对违规提供生成式人工智能服务的“智答”“灵问”等网站依法责令整改；"
            "对发布传播色情赌博内容的“百花网”等网站依法予以关闭；对散布谣言的“星河”等账号，依法责令删除相关视频。\n")
    result = clf.classify("", text)
    assert [c.penalties for c in result.cases] == [["责令改正"], ["关闭网站或下架"], ["责令改正"]]


def test_a_story_that_returns_to_the_people_of_its_lead_is_one_case(clf):
    """A background paragraph with another person (the buyer who led police to the case) does not
    end the case: when the story comes back to two people of its lead, all of it is one case."""
    text = ("近日，某区人民检察院提起公诉的赵某、钱某侵犯公民个人信息案宣判，法院判处二人有期徒刑。\n"
            "2023年5月，某区公安分局民警在工作中发现孙某向某培训机构出售学生信息，遂立案侦查。\n"
            "民警顺线追查发现，赵某系某社区卫生服务中心工作人员，利用职务便利将系统内的儿童信息导出后交给钱某出售。\n")
    assert len(clf.classify("", text).cases) == 1
    apart = text.replace("赵某系", "周某系").replace("交给钱某", "交给吴某")
    assert len(clf.classify("", apart).cases) == 2  # a paragraph about other people is another case


def test_a_paragraph_on_the_investigation_of_the_case_before_continues_it(clf):
    text = ("2024年3月，某县公安局网安大队对某物流公司未履行个人信息保护义务一案立案调查。\n"
            "经县公安局网安大队侦查，某快递网点负责人李某未对面单信息采取保护措施，公安机关依法对其罚款五千元。\n")
    assert len(clf.classify("", text).cases) == 1
    found = text.replace("经县公安局网安大队侦查", "经县公安局网安大队巡查发现")
    assert len(clf.classify("", found).cases) == 2  # a patrol that finds something finds a new case


def test_a_round_up_heading_that_states_a_decision_names_a_case(clf):
    text = ("今年以来，全省各地网信部门依法查处一批违法违规网站。\n"
            "甲市关停一批违法违规网站\n"
            "甲市网信办在清查中发现“某某信息网”等网站存在涉赌信息，依法关停上述网站。\n"
            "乙县对未履行数据安全保护义务的2家单位进行处罚\n"
            "近日，乙县网信办和县公安局网安大队联合开展执法检查。\n")
    assert len(clf.classify("", text).cases) == 2
    plain = text.replace("乙县对未履行数据安全保护义务的2家单位进行处罚", "乙县开展网络安全执法检查")
    assert len(clf.classify("", plain).cases) == 1  # a heading that decides nothing names no case


@pytest.mark.parametrize("text", [
    "近日，某区检察院在履职中发现部分行政机关公开的文件含有个人敏感信息，先后向3家行政机关发送检察建议。",
    "今年5月，某市公安局网安支队打掉一个专门为境外诈骗团伙提供引流服务的犯罪团伙。",
])
def test_a_recommendation_of_a_procuratorate_and_a_gang_taken_down_are_cases(clf, text):
    assert clf.classify("", text).is_enforcement


@pytest.mark.parametrize("text", [
    # a decision that closes a long sentence which named its target near the start
    "某医院信息系统遭勒索病毒攻击，经调查，该医院未建立网络安全管理制度，违反了《网络安全法》第二十一条规定，公安机关依据第五十九条作出处罚决定。",
    # the victim's own duties investigated beside the attack
    "2020年3月，某市公安局在侦办一起黑客攻击案件中发现，被攻击的某公司未落实网络安全等级保护制度，公安机关对该公司开展“一案双查”。",
])
def test_decisions_far_from_their_target_and_one_case_two_checks_are_cases(clf, text):
    assert clf.classify("", text).is_enforcement


def test_a_unit_named_after_a_date_is_the_same_unit(clf):
    """"2022年11月22日天柱县公安局…" names the 天柱县公安局 of the paragraph before, not another body."""
    text = ("案例一\n某县公安局网安大队检查发现“某某网”网站未落实安全技术措施，依法对该网站负责人罚款5000元。\n"
            "案例二\n2022年11月，甲县公安局网安大队在侦办龚某某侵犯公民个人信息案中启动“一案双查”，发现某营业厅未制定网络安全管理制度。\n"
            "2022年11月22日甲县公安局依法对该营业厅予以警告处罚。\n")
    assert len(clf.classify("", text).cases) == 2


def test_means_already_applied_to_named_accounts_are_a_decision(clf):
    text = ("现将部分典型案例通报如下：\n"
            "1. 依法处置扰乱企业经营秩序的账号。账号“某某说车”“某某财经”等故意发布企业负面信息。已责令相关网站依法依约对上述账号采取关闭、禁言等处置措施。\n"
            "2. 严厉打击网络水军行为。“某某青年”等13个账号发布同质化帖文。已责令相关网站依法依约对上述账号作关闭处置。\n")
    assert len(clf.classify("", text).cases) == 2
    policy = "下一步，网信部门将通过约谈、关闭、禁言等手段持续整治。网信部门采取约谈、下架等措施督促整改。"
    assert not clf.classify("", policy).is_enforcement  # means in general are no decision


def test_a_published_list_of_offending_apps_is_a_notice(clf):
    text = ("日前，某省通信管理局组织对主流应用商店的APP进行了检查，通报了存在问题的应用软件名单，"
            "要求相关APP在12月9日前完成整改。\n")
    result = clf.classify("", text)
    assert result.is_enforcement and result.cases[0].authority == "通信管理"


def test_a_site_moderating_its_own_users_is_no_case(clf):
    text = ("本阶段，某某论坛共清理违法和不良信息12条。用户“小美”“jeeki”因发布涉赌信息，站方依法对账号予以永久禁言处理。\n")
    assert not clf.classify("", text).is_enforcement
    police = text.replace("站方依法对账号予以永久禁言处理", "县公安局网安大队依法对账号予以封禁处理")
    assert clf.classify("", police).is_enforcement


def test_names_in_padded_straight_quotes_read_as_quoted_names(clf):
    text = ('近期，某市网信办依法处置一批违法违规账号。对发布虚假谣言信息的小红书账号 " 某某小灵通 " 依法约谈并予以关闭；'
            '对违规发布教育培训广告的 " 某某培训 "" 某某中考 " 等 9 个抖音账号予以暂停更新 6 个月处置。\n')
    assert clf.readable(text).count("“") == 3
    assert len(clf.classify("", text).cases) == 2




def test_a_reason_paragraph_that_refers_back_mid_sentence_continues_the_case(clf):
    """"决定对该医院…" and "严重影响了医院…" are no organisation's full name."""
    text = ("近日，某市某医院被市公安局网安大队处以行政警告处罚。\n"
            "原因是这样，网安大队在工作中发现该医院的门户网站存在安全漏洞，严重影响了医院网站的信息安全。"
            "因此，市公安局网安大队根据《网络安全法》第二十一条、五十九条规定，决定对该医院处以行政警告处罚。\n")
    result = clf.classify("", text)
    assert len(result.cases) == 1 and result.cases[0].statutes[:2] == ["网络安全法:21", "网络安全法:59"]
    named = text.replace("严重影响了医院网站", "某市第一人民医院网站也")
    assert "某市第一人民医院" in clf.splitter.parties(named)


def test_ascii_punctuation_between_chinese_reads_as_full_width(clf):
    text = "近期,某区检察院对此开展公益诉讼专项行动,先后共向3家行政机关发送检察建议,督促职能部门健全信息审核机制。"
    assert clf.readable(text).count("，") == 3 and clf.readable("罚款1,000元") == "罚款1,000元"
    assert clf.classify("", text).is_enforcement  # "对此…,先后共向3家" is no decision on an unnamed batch


def test_offenders_told_one_sentence_each_are_cases(clf):
    text = ("据省委网信办消息，全省网信系统持续开展涉疫情网络信息内容整治。\n"
            "经查，甲市王某和马某利用微博发布涉疫情谣言，网信部门会同公安部门对其依法进行核查处置，并对二人进行了批评教育。"
            "乙区赵某在微信群传播他人个人信息，网信部门对其依法核查处置，并移交有关部门予以严肃处理。"
            "丙市曾某在某餐饮服务监管群内发布涉疫谣言，网信部门会同公安部门进行查处，并对其进行约谈、训诫。\n")
    assert len(clf.classify("", text).cases) == 3
    one_story = ("经查，甲市王某利用微博发布涉疫情谣言。王某的朋友赵某也转发了该谣言。"
                 "公安机关依法对王某行政拘留五日，对赵某批评教育。\n")
    assert len(clf.classify("", one_story).cases) == 1  # a sentence that opens with a known person continues


@pytest.mark.parametrize("text, penalty", [
    ("近日，一名王姓网民在QQ群中发布虚假涉恐信息，被行拘五日。", "行政拘留"),
    ("4月17日，警方在工作中发现违法行为人赵某故弄玄虚，将自己的核酸检测阴性结果通过修图软件改成阳性，"
     "并在朋友圈内发布截图，混淆视听，引发部分市民恐慌，造成负面影响，经民警调查核实，依法对其行政处罚。", None),
])
def test_detention_shorthand_and_the_offender_of_an_administrative_case(clf, text, penalty):
    result = clf.classify("", text)
    assert result.is_enforcement
    if penalty:
        assert penalty in result.cases[0].penalties


def test_accounts_called_公号_and_items_headed_其一_其二(clf):
    text = ("近期，省网信办组织开展违规自媒体账号专项整治。“长治某某”“晋中快讯”等11款自媒体微信公号违规刊载时政类新闻信息。"
            "省网信办对“长治某某”“晋中快讯”3款微信公号依法予以关停。\n")
    assert clf.classify("", text).is_enforcement
    notice = ("现将存在侵害用户权益行为的应用程序情况通报如下：\n"
              "其一，省通信管理局在抽测中发现，还有14款应用程序未完成整改，现对其进行公开通报。\n"
              "其二，仍有5款应用程序未整改，现对“某某出行”等5款应用程序予以下架处置。\n")
    result = clf.classify("", notice)
    assert len(result.cases) == 2 and "通报" in result.cases[0].penalties


@pytest.mark.parametrize("text, count", [
    # accounts named in one sentence and closed in the next (涉及的账号, 涉案账号)
    ("近期，网信部门依法处置一批仿冒账号。现将部分典型案例通报如下。\n"
     "1.“晨光快讯”“江城日报”等账号仿冒新闻媒体名称，违规开展互联网新闻信息服务。涉及的账号已被依法关闭。\n"
     "2.“某某招生办”等账号假冒招生部门官方名称，为培训业务违规引流。涉案账号已被依法禁言。\n", 2),
    # parallel clauses opening with a quoted name, or with 约谈
    ("2月，某区网信部门共关闭违法违规账号15个。经核查，“某某影院”网站存在色情视频，已注销原网址域名备案；"
     "“某某街拍网”存在低俗照片，已依法责令其关闭网站；“某某期刊”“某某墨客”两家网站涉及赌博，已协调通信管理局注销备案；"
     "约谈某某信息技术有限公司负责人，要求撤下其所属抖音号中的不良信息。\n", 4),
    # parallel closures of quoted sites of a kind (“…”等色情类网站12家)
    ("近期，省网信办会同省通信管理局对25家违法网站依法予以查处。\n"
     "其中，关闭“七夏影院”“橙子视频”等色情类网站12家；关闭“彩客网”“热购彩票”等网络博彩类网站8家；"
     "关闭“糖友之家”“网上赚钱”等诈骗类网站3家。\n", 3),
    # a paragraph that lists the accounts of the lead again (they share a quoted name) continues it
    ("近日，某区网信办在专项行动中，对涉嫌传播淫秽色情信息的“某某小事”等5个微信公众号全部作封号处理。\n"
     "区网信办根据公众举报发现，“某某小事”“爱你生活”“色迷迷”“食色性”“夜话”等5个微信公众号存在严重违规行为，"
     "区网信办多次约谈、督促“某某小事”进行整改，但该账号整改不彻底。\n", 1),
])
def test_batch_notices_are_cut_by_their_named_targets(clf, text, count):
    assert len(clf.classify("", text).cases) == count


@pytest.mark.parametrize("text", [
    # advice to the public
    "某市网信办提醒广大网民，网站域名、账号不再使用后，要根据有关规定及时注销备案信息。",
    # the source a report quotes (据“…”公众号) is no target
    "据“网信中国”微信公众号19日消息，2022年，全国网信系统持续加大网络执法力度，坚决依法查处各类违法违规案件。",
    # what a kind of act may lead to, in an explainer (and 联网管理 holds no 网管)
    "3.法律问题：翻墙行为违反《计算机信息网络国际联网管理暂行规定》，可能导致承担行政处罚或刑事责任。",
    "网吧违反《计算机信息网络国际联网管理暂行规定》的，可能导致停业整顿。",
])
def test_advice_and_attributions_are_no_decision(clf, text):
    assert not clf.classify("", text).is_enforcement


def test_cases_announced_by_a_lead_are_cases_without_a_decision_of_their_own(clf):
    """"通报了部分典型案例，包括：“A”等账号…；“B”等账号…": the decision is the announcement's, each
    item names its party."""
    text = ("记者从国家网信办获悉，近期网信部门会同相关部门集中整治仿冒账号。\n"
            "国家网信办通报了部分典型案例，包括：“城南晚报”“云端快讯”等账号仿冒新闻媒体名称，违规开展互联网新闻信息服务；"
            "“某省招生考试院”等账号假冒招生部门官方名称，为培训业务违规引流；"
            "“某地文旅推荐”等账号仿冒地方文旅官方认证账号，误导公众。\n")
    result = clf.classify("", text)
    assert result.is_enforcement and len(result.cases) == 3
    assert [case.authority for case in result.cases] == ["网信"] * 3
    quiet = text.replace("国家网信办通报了部分典型案例，包括：", "")  # nothing announces them: no case
    assert not clf.classify("", quiet).is_enforcement


def test_an_announcement_does_not_make_background_a_case_beside_real_decisions(clf):
    text = ("近日，某市法院发布侵犯公民个人信息犯罪典型案例。\n"
            "2016年，被告人张某利用在某速运公司担任收派员的便利，拍摄快递单并出售给他人。\n"
            "2017年，被告人葛某、夏某从张某处购得快递单信息照片并转卖。\n"
            "某区人民法院经审理认为，张某、葛某、夏某的行为已构成侵犯公民个人信息罪，判处张某有期徒刑一年，葛某、夏某各有期徒刑十个月。\n")
    assert len(clf.classify("", text).cases) == 1


@pytest.mark.parametrize("lead", ["记者从国家网信办获悉，近期网信部门集中整治仿冒账号。",
                                  "记者从国家网信办获悉。近期，网信部门会同相关部门集中整治仿冒账号。"])
def test_a_case_of_a_national_notice_is_not_placed_by_a_name_in_quotes(clf, lead):
    text = (lead + "\n"
            "通报的部分典型案例包括：“上海晨报”“城南快讯”等账号仿冒新闻媒体名称，违规开展新闻信息服务；"
            "“山东文旅推荐”等账号仿冒地方文旅官方认证账号，误导公众；“某某邮政优选”等账号冒用品牌引流带货。\n")
    result = clf.classify("", text)
    assert [case.province for case in result.cases] == [None, None, None]
    local = text.replace("国家网信办", "四川省网信办").replace("网信部门", "四川省网信办")
    assert [case.province for case in clf.classify("", local).cases] == ["四川", "四川", "四川"]


@pytest.mark.parametrize("text", [
    "近日，国家网信办依法约谈“某某视频”企业，对其继续大量传播低俗不良信息，采取暂停更新15天和下架处理。",
    "今年7月，某省网信办依法处置了“某某福利社”等19个网络短视频应用。",
])
def test_quoted_companies_and_apps_and_依法处置_are_decisions_on_a_target(clf, text):
    assert clf.classify("", text).is_enforcement


def test_announced_cases_told_each_by_its_own_unit_are_cases(clf):
    """A procuratorate's round-up: after the announcement, each paragraph is one unit's case."""
    text = ("最高人民检察院今天发布一批个人信息保护检察公益诉讼典型案例，涉及智慧停车、人脸识别等场景。\n"
            "记者注意到，这批案例涉及个人行踪轨迹、人脸信息等领域。\n"
            "河北省唐山市路北区检察院聚焦智慧停车应用程序存在的突出问题，充分发挥公益诉讼检察职能，通过办案推动行业治理。\n"
            "重庆市渝北区检察院聚焦小区物业人脸识别高频应用场景，推动个案整改。\n"
            "浙江省宁波市鄞州区检察院针对“网络开盒”侵害个人信息问题，通过办案加大司法惩治力度。\n")
    result = clf.classify("", text)
    assert len(result.cases) == 3 and {case.authority for case in result.cases} == {"检察院"}
    assert [case.province for case in result.cases] == ["河北", "重庆", "浙江"]


def test_a_press_conference_on_a_campaign_is_no_announced_case(clf):
    text = ("9月22日，某市政府新闻办召开新闻发布会，通报了某市公安机关开展专项行动的情况并发布典型案例。\n"
            "近年来，各类传统违法犯罪开始不断向网上蔓延，网络违法犯罪呈逐步上升趋势。\n"
            "下一步，全市公安机关将进一步加强网上违法犯罪严打高压态势。\n")
    assert not clf.classify("", text).is_enforcement


def test_a_paragraph_that_retells_the_day_of_the_case_before_continues_it(clf):
    text = ("4月11日，甲市互联网信息办公室约谈蓝天图片网站，责令该网站立即停止违法违规行为，全面彻底整改。\n"
            "4月12日凌晨，甲市网信办通过官方微信发布消息称，4月11日，针对蓝天图片网站传播违法有害信息的行为，"
            "市网信办依法约谈该网站负责人，责令其整改。\n")
    assert len(clf.classify("", text).cases) == 1
    other_day = text.replace("称，4月11日，针对", "称，4月9日，针对")
    assert len(clf.classify("", other_day).cases) == 2
    # stories that each open with the same day are each their own
    same_day = ("3月10日，甲县网信办联合公安机关依法对在微信群内散布谣言的一名群成员进行约谈并警告。\n"
                "3月10日，乙区网信办联合属地公安机关依法对在微信群内传播他人信息的一名网民进行约谈并警告。\n")
    assert len(clf.classify("", same_day).cases) == 2


def test_the_defendant_s_plea_in_a_judgment_is_no_new_party(clf):
    text = ("某区人民检察院以起诉书指控被告人张伟犯破坏计算机信息系统罪，向本院提起公诉。\n"
            "某区人民检察院指控被告人张伟利用其编写的程序在互联网上传播，先后感染大量计算机。\n"
            "被告人张伟对公诉机关指控的犯罪事实予以供认。本院认为，被告人张伟的行为已构成破坏计算机信息系统罪，判处有期徒刑一年。\n")
    assert len(clf.classify("", text).cases) == 1


def test_a_story_whose_decision_its_next_paragraph_gives_is_a_case(clf):
    """Persons told by surname and kind (一名王姓网民) are parties; a story paragraph without a decision
    followed by its investigation (经调查，…被行拘三日) is one case."""
    text = ("某市公安机关开展净网行动，严打网上造谣、传谣行为。\n"
            "其中，一名王姓网民上月二十三日在微信群中发布虚假涉恐信息，被行拘五日。\n"
            "另外，上月十二日，一名李姓网民在论坛发布题为《出大事了》的帖文，声称有人在街头持刀伤人。\n"
            "经调查，警方发现李某因与家人争吵，在网上发布虚假信息以引关注，被行拘三日。\n")
    result = clf.classify("", text)
    assert len(result.cases) == 2 and all(case.penalties == ["行政拘留"] for case in result.cases)


def test_a_paragraph_of_sentences_each_opening_with_a_place_of_its_own_gives_a_case_each(clf):
    text = ("2025年度某省网络举报处置典型案例公布。\n"
            "处置力度\n"
            "甲市某服装网店因“刷单炒信”被处以20万元罚款；乙县孙某因传播虚假检测报告，被处以行政拘留处罚；"
            "丙州依法封停长期发布低俗视频的账号；丁区依法关闭存在违法信息的网站。处置力度进一步加强。")
    result = clf.classify("", text)
    assert [c.penalties for c in result.cases] == [["罚款"], ["行政拘留"], ["关闭网站或下架"], ["关闭网站或下架"]]


@pytest.mark.parametrize("text", [
    # one place's steps of one case
    "甲市某公司泄露用户信息；甲市网信办依法对其处以警告；甲市公安局对负责人处以罚款。",
    # a sentence that refers back continues the case of the sentence before
    "甲市某公司泄露用户信息；乙区网信办对该公司处以警告；丙县公安局对其负责人罚款五千元。",
    # the company and its manager are one case's parties
    "某市网信办对某科技公司依法予以警告，对其直接负责的主管人员处以罚款一万元。",
    # one group's measures told one after the other
    "某市网信办对“甲乙生活”等5个微信公众号依法约谈，对上述账号予以暂停更新30天处置。",
])
def test_steps_and_measures_of_one_case_are_not_cut(clf, text):
    assert len(clf.classify("", text).cases) == 1


def test_a_quoted_event_is_no_party_of_the_cases_that_name_it(clf):
    text = ("近日，某省公安厅公布典型案例。\n"
            "甲市公安机关依法查处王某明编造涉“张某宇失踪事件”网络谣言案；\n"
            "乙市公安机关依法查处李某来编造涉“张某宇失踪事件”网络谣言案；\n"
            "丙市公安机关依法查处赵某先编造涉“张某宇失踪事件”网络谣言案。\n")
    assert len(clf.classify("", text).cases) == 3
    splitter = clf.splitter
    assert splitter.parties("查处李某来编造涉“张某宇失踪事件”网络谣言案") == {"李某"}
    assert "“某某生活”网" in splitter.parties("依法关闭“某某生活”网")  # a quoted site still is one


def test_examples_told_by_city_police_after_a_针对_lead_are_cases(clf):
    text = ("今年以来，某省公安机关深入开展净网专项行动。\n"
            "针对谣言高发领域，某省公安实施全链条打击。典型案例包括：甲市公安侦破郭某虚构身份摆拍引流案，抓获2名犯罪嫌疑人；"
            "乙州公安破获炮制贫困谣言引流带货案，行政处罚2人；丙市公安查处编造山体滑坡谣言案，行政处罚3人。\n")
    assert len(clf.classify("", text).cases) == 3


@pytest.mark.parametrize("text, expected", [
    ("甲州公安破获炮制贫困谣言引流带货案，行政处罚2人。", True),
    # kinds and totals are no single case
    ("今年以来，某省公安侦破各类涉网案件857起。", False),
])
def test_a_case_named_by_what_was_done_is_a_target(clf, text, expected):
    assert clf.classify("", text).is_enforcement is expected


def test_sentences_that_each_open_with_the_named_sites_they_decide_on_are_cases(clf):
    text = ("2025年5月，某省网信系统依法依规查处违法违规网站30家。\n"
            "经查实，假冒网站“某省人社厅”发布虚假政务信息，被依法关闭。“某某网”“某某影院”等21家网站传播赌博信息，"
            "被依法注销备案。“某某生活”等8个微信公众号传播低俗内容，被依法关闭。\n")
    assert len(clf.classify("", text).cases) == 3
    one = "“某某网”等2家网站传播赌博信息，被依法注销备案。“某某网”负责人表示将认真整改。"
    assert len(clf.classify("", one).cases) == 1  # a later sentence on the same site continues it


def test_clauses_that_each_bring_in_other_bodies_for_another_action_are_cases(clf):
    text = ("2025年8月，某省网信办共受理网民举报7万余件。\n"
            "某省网络举报部门根据举报线索核查，依法责令关闭“某某网”和“某某学姐”微信公众号；"
            "会同市州网信部门约谈“某某论坛”等网站和“某某生活”等微信公众号12个；"
            "联合公安等有关部门依法查处“某地发生爆炸”等网上造谣违法行为，行政处罚5人。\n")
    assert [c.penalties[:1] for c in clf.classify("", text).cases] == [["关闭网站或下架"], ["约谈"], []]
    one = "某市网信办发现某公司泄露用户信息；会同公安机关依法对其处以警告；联合通信管理局责令其整改。"
    assert len(clf.classify("", one).cases) == 1  # steps on one party that refer back


def test_the_publisher_a_page_credits_does_not_place_the_case(clf):
    text = ("2025-01-25 来源：公安部网安局 发布机构：丙市公安局\n"
            "近期，公安网安部门依法查处8家涉嫌非法获取公民个人信息的MCN机构。"
            "江西省赣州市信丰公安网安部门成功侦破陈某等人侵犯公民个人信息案。\n")
    case = clf.classify("", text).cases[0]
    assert (case.authority, case.province) == ("公安", "江西")
    moved = text.replace("丙市公安局", "汕尾市公安局")
    assert clf.classify("", moved).cases[0].province == "江西"


def test_a_page_s_own_headline_repeated_in_its_text_is_no_case_of_the_round_up(clf):
    title = "“网红”王某某直播间辱骂他人，被依法行政处罚!"
    text = (f"{title}\n{title}\n为依法打击网络暴力违法犯罪，近日，甲市警方依法查处2起网络违法案件。\n"
            "甲市公安局乙县局\n依法处置一起网络暴力案件\n"
            "近日，乙县警方接群众报警称，其遭到网红王某某公然辱骂。乙县局依法对违法行为人王某某给予行政处罚。\n"
            "甲市公安局丙区分局\n依法处置一起网络暴力案件\n"
            "近日，丙区分局接群众报警称，赵某在业主群内发布侮辱性言论。丙区分局依法对违法行为人赵某给予行政处罚。\n")
    assert len(clf.classify(title, text).cases) == 2


def test_a_decision_that_gives_each_group_of_accounts_its_own_measure_gives_a_case_each(clf):
    text = ("近日，某省网信办开展自媒体乱象专项整治。\n"
            "依据有关规定，某省网信办对“甲乙生活”“丙丁资讯”等5个微信公众号依法予以关闭，"
            "对“戊己观察”等3个微博账号予以暂停更新30天处置；对“庚辛头条”等6个抖音账号进行了15天禁言处置。\n")
    cases = clf.classify("", text).cases
    assert [c.penalties for c in cases] == [["关闭网站或下架"], ["暂停业务"], ["暂停业务"]]


def test_one_sentence_of_clauses_each_told_by_a_body_of_its_own_gives_a_case_each(clf):
    text = ("近日，在上级网信办指导下，甲县网信办对属地“甲县某机械厂”网站负责人依法约谈，乙县网信办依法约谈属地"
            "“乙县某养殖场”网站负责人，丙区网信办对属地“丙区某贸易有限公司”网站负责人依法约谈。\n")
    assert len(clf.classify("", text).cases) == 3
    two = "甲县网信办会同公安机关调查某公司，乙县网信办对该公司依法约谈。"
    assert len(clf.classify("", two).cases) == 1  # two bodies on one party: one case


def test_a_group_warned_beside_a_group_summoned_is_a_case_of_its_own(clf):
    text = ("5月份，某省网信系统依法打击网上违法违规行为。\n"
            "省市网信办依法对“甲乙经济”“丙丁升学”等40家违规网站平台、账号进行约谈整改，对“戊己百货”“庚辛手游网”等"
            "146家网站平台、账号提出警告。\n")
    assert [c.penalties for c in clf.classify("", text).cases] == [["责令改正", "约谈"], ["警告"]]


def test_a_case_that_names_no_body_is_placed_by_the_round_up_s_own_body_not_by_the_story(clf):
    text = ("近日，山东甲市网安部门查获两起编造网络谣言的违法行为。\n"
            "案例一：近日，甲市网民张某编造“在监狱直播带货”的谣言信息，并发布在某互联网平台。\n"
            "案例二：近日，在广东台风期间，甲市网民迟某编造“广东某地教学楼因台风受损”虚假灾情视频，在某短视频平台发布。\n"
            "公安机关依法给予张某和迟某行政处罚。\n")
    assert [c.province for c in clf.classify("", text).cases] == ["山东", "山东"]


def test_cases_under_a_lead_whose_body_names_no_place_are_not_placed_by_quoted_names(clf):
    text = ("近期，网信部门会同相关部门依法处置一批假冒仿冒账号。现将部分典型案例通报如下。\n"
            "1.“某某新闻”“上海晚讯”等账号仿冒新闻媒体名称，违规开展互联网新闻信息服务。涉及的账号已被依法依约关闭。\n"
            "2.“安徽省某某招生院”等账号假冒教育招生部门官方名称，为培训业务违规引流。涉及的账号已被依法依约关闭。\n")
    assert [c.province for c in clf.classify("", text).cases] == [None, None]
    placed = text.replace("网信部门会同", "江苏省网信办会同")
    assert [c.province for c in clf.classify("", placed).cases] == ["江苏", "江苏"]


def test_a_case_told_before_the_first_heading_after_the_lead_and_totals_is_a_case(clf):
    text = ("今年以来，某市网警部门全力开展网络安全专项治理行动。\n"
            "破获案件45个、抓获人数110人、打掉团伙16个；发现并通报整改各类网络安全漏洞1900余处。\n"
            "2016年3月6日，某信息技术有限公司被黑客攻击，导致其公司损失264万元。\n"
            "案发后，某区公安分局立即开展侦查工作，一举捣毁该团伙13处窝点，抓获涉案嫌疑人42人。\n"
            "破获“某某网”平台被入侵盗窃案\n"
            "3月9日，某文化发展有限公司报案称其平台网站被人恶意盗刷。警方陆续抓获该团伙主要嫌疑人5名。\n"
            "破获某APP木马病毒破坏计算机信息系统案\n"
            "5月，某科技公司报案称其APP被植入木马。警方抓获犯罪嫌疑人3名，已移送起诉。\n")
    assert len(clf.classify("", text).cases) == 3
    lead_only = text.replace("2016年3月6日，某信息技术有限公司被黑客攻击，导致其公司损失264万元。\n"
                             "案发后，某区公安分局立即开展侦查工作，一举捣毁该团伙13处窝点，抓获涉案嫌疑人42人。\n", "")
    assert len(clf.classify("", lead_only).cases) == 2  # a lead and its totals are no case
